from policies.rules import pss_proc_mount as rule
from tests.policies.helpers import check, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

FAIL = {
    "job": [  # procMount: Default on the init container passes
        "Job agent-platform-prod/image-build spec.template.spec.containers[buildkit].securityContext.procMount: "
        "is 'Unmasked', must be Default.",
    ],
    "pod": [  # a user-namespaced pod (hostUsers: false) gets no exception at the restricted level
        "Pod agent-platform-prod/nested-builder spec.ephemeralContainers[debugger].securityContext.procMount: "
        "is 'Unmasked', must be Default.",
    ],
    "user-namespace-restricted": [  # restricted keeps requiring Default in v1.35+ (procMount_restricted)
        "Deployment ci-runners-strict/runner spec.template.spec.containers[runner].securityContext.procMount: "
        "is 'Unmasked', must be Default.",
    ],
    "user-namespace-baseline-v1.34": [  # baseline relaxes it for hostUsers: false from v1.35 only
        "Deployment ci-runners-pinned/runner spec.template.spec.containers[runner].securityContext.procMount: "
        "is 'Unmasked', must be Default (Pod Security v1.34).",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
