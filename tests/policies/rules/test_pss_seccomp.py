from policies.rules import pss_seccomp as rule
from tests.policies.helpers import check, messages, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

EXPECTED = "must be RuntimeDefault or Localhost."
STS = "StatefulSet agent-platform-prod/agent-service spec.template.spec"
FAIL = {
    "cronjob": [  # set nowhere: one finding, at pod level
        "CronJob agent-platform-prod/report spec.jobTemplate.spec.template.spec.securityContext.seccompProfile.type: "
        f"is not set (nor on any container), {EXPECTED}",
    ],
    "deployment": [  # Unconfined at pod level; the unset init container inherits it and is not reported twice
        "Deployment agent-platform-prod/tool-service spec.template.spec.securityContext.seccompProfile.type: "
        f"is 'Unconfined', {EXPECTED}",
    ],
    "statefulset": [  # not on the pod: Unconfined on an init container, unset on a second container
        f"{STS}.initContainers[wait-for-db].securityContext.seccompProfile.type: is 'Unconfined', {EXPECTED}",
        f"{STS}.containers[sidecar].securityContext.seccompProfile.type: is not set (nor on the pod), {EXPECTED}",
    ],
    "windows-pod": [  # Windows pods need no profile, but Unconfined stays forbidden (baseline)
        "Pod agent-platform-prod/report-renderer spec.containers[renderer].securityContext.seccompProfile.type: "
        f"is 'Unconfined', {EXPECTED}",
    ],
    "baseline-namespace": [  # a baseline namespace needs no profile, but Unconfined stays forbidden
        f"Pod legacy-web/httpd spec.containers[strace].securityContext.seccompProfile.type: is 'Unconfined', {EXPECTED}",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())


def test_an_ephemeral_container_may_not_turn_seccomp_off():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "c"}],
            "ephemeralContainers": [{"name": "d", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}],
        },
    }
    assert messages(check(rule, [pod])) == [
        f"Pod ns/p spec.ephemeralContainers[d].securityContext.seccompProfile.type: is 'Unconfined', {EXPECTED}"
    ]
