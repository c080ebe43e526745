from policies.rules import liveness_probe as rule
from tests.policies.helpers import check, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests
from tests.policies.rbac_inputs import odd_rbac_manifests

MUST = "is not set, must be a probe that fails when the container stops working (without one it is restarted only when it exits)."
FAIL = {
    "workloads": [
        f"Deployment shop/web spec.template.spec.initContainers[proxy].livenessProbe: {MUST}",  # a native sidecar
        f"Deployment shop/web spec.template.spec.containers[metrics].livenessProbe: {MUST}",
        f"StatefulSet shop/cache spec.template.spec.containers[cache].livenessProbe: {MUST}",  # readiness is no liveness
        f"DaemonSet monitoring/node-agent spec.template.spec.containers[agent].livenessProbe: {MUST}",
        f"Pod shop/debug spec.containers[shell].livenessProbe: {MUST}",  # restartPolicy Always by default
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests() + odd_rbac_manifests())
