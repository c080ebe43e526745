from policies.rules import read_only_root_filesystem as rule
from tests.policies.helpers import check, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

STS = "StatefulSet agent-platform-prod/agent-service spec.template.spec"
FAIL = {
    "statefulset": [  # unset on an init container, false on a container
        f"{STS}.initContainers[migrate].securityContext.readOnlyRootFilesystem: is not set, must be true.",
        f"{STS}.containers[agent].securityContext.readOnlyRootFilesystem: is false, must be true.",
    ],
    "pod": [
        "Pod agent-platform-prod/agent-service-7d9f spec.ephemeralContainers[debugger].securityContext"
        ".readOnlyRootFilesystem: is not set, must be true.",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
