from policies.rules import pss_host_process as rule
from tests.policies.helpers import check, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

DS = "DaemonSet monitoring/windows-exporter spec.template.spec"
POD = "Pod agent-platform-prod/debug-agent spec"
FAIL = {
    "daemonset": [  # pod level and an init container
        f"{DS}.securityContext.windowsOptions.hostProcess: is true, must be false.",
        f"{DS}.initContainers[setup].securityContext.windowsOptions.hostProcess: is true, must be false.",
    ],
    "pod": [  # a wrong type on a container, an ephemeral container
        f"{POD}.containers[agent].securityContext.windowsOptions.hostProcess: is 'true', must be false.",
        f"{POD}.ephemeralContainers[debugger].securityContext.windowsOptions.hostProcess: is true, must be false.",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
