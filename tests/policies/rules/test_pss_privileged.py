from policies.rules import pss_privileged as rule
from tests.policies.helpers import check, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

DS = "DaemonSet storage/csi-node spec.template.spec"
FAIL = {
    "daemonset": [  # init and regular containers; privileged: false passes
        f"{DS}.initContainers[install].securityContext.privileged: is true, must be false.",
        f"{DS}.containers[driver].securityContext.privileged: is true, must be false.",
    ],
    "pod": [
        "Pod agent-platform-prod/agent-service-7d9f spec.ephemeralContainers[debugger].securityContext.privileged: "
        "is true, must be false.",
    ],
    "baseline-namespace": [  # a baseline control: judged in baseline namespaces (pass/privileged-namespace: not)
        "DaemonSet kube-node-agents/csi-node spec.template.spec.containers[driver].securityContext.privileged: "
        "is true, must be false.",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
