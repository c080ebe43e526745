from policies.rules import pss_selinux as rule
from tests.policies.helpers import check, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

DEPLOYMENT = "Deployment agent-platform-prod/tool-service spec.template.spec"
TYPES = "container_t, container_init_t, container_kvm_t, container_engine_t"
FAIL = {
    "deployment": [  # user and role at pod level, a type on a container
        f"{DEPLOYMENT}.securityContext.seLinuxOptions.user: is 'system_u', must be unset.",
        f"{DEPLOYMENT}.securityContext.seLinuxOptions.role: is 'system_r', must be unset.",
        f"{DEPLOYMENT}.containers[tool].securityContext.seLinuxOptions.type: is 'spc_t', must be unset or one of {TYPES}.",
    ],
    "job": [
        "Job model-training-prod/dataset-import spec.template.spec.initContainers[fetch].securityContext"
        f".seLinuxOptions.type: is 'unconfined_t', must be unset or one of {TYPES}.",
    ],
    "namespace-v1.30": [  # container_engine_t is allowed from v1.31 (pass/namespace-v1.31)
        "Pod image-builds-pinned/podman-build spec.containers[podman].securityContext.seLinuxOptions.type: "
        "is 'container_engine_t', must be unset or one of container_t, container_init_t, container_kvm_t "
        "(Pod Security v1.30).",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
