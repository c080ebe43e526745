from policies.rules import pss_run_as_user as rule
from tests.policies.helpers import check, messages, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

STS = "StatefulSet data/postgres spec.template.spec"
FAIL = {
    "statefulset": [  # pod level and an init container; 999 on the container passes
        f"{STS}.securityContext.runAsUser: is 0, must be a non-zero UID.",
        f"{STS}.initContainers[chown-data].securityContext.runAsUser: is 0, must be a non-zero UID.",
    ],
    "pod": [
        "Pod agent-platform-prod/agent-service-7d9f spec.ephemeralContainers[debugger].securityContext.runAsUser: "
        "is 0, must be a non-zero UID.",
    ],
    "user-namespace-v1.34": [  # hostUsers: false may run as 0 from v1.35 on (pass/user-namespace-v1.35)
        "StatefulSet build-farm-pinned/buildkitd spec.template.spec.securityContext.runAsUser: is 0, "
        "must be a non-zero UID (Pod Security v1.34).",
        "StatefulSet build-farm-pinned/buildkitd spec.template.spec.containers[buildkitd].securityContext.runAsUser: "
        "is 0, must be a non-zero UID (Pod Security v1.34).",
    ],
    "host-users-unset": [  # only hostUsers: false is a user namespace
        "Pod build-farm/buildkitd-0 spec.containers[buildkitd].securityContext.runAsUser: is 0, "
        "must be a non-zero UID.",
    ],
    "invalid-level": [  # an invalid level is judged as restricted, as admission does
        "Pod legacy-tools-typo/log-rotate spec.securityContext.runAsUser: is 0, must be a non-zero UID.",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())


def test_a_uid_that_is_no_number_is_reported():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"containers": [{"name": "c", "securityContext": {"runAsUser": "root"}}]},
    }
    assert messages(check(rule, [pod])) == [
        "Pod ns/p spec.containers[c].securityContext.runAsUser: is 'root', must be a non-zero UID."
    ]
