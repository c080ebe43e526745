from policies.rules import failure_detection as rule
from tests.policies.helpers import check, fixture, messages, pass_and_fail_tests

WHERE = "Deployment agent-platform-prod/agent-service spec.template.spec.containers"
MUST = "must be at most 30 s (the failure-detection target)."
FAIL = {
    "slow-probes": [
        f"{WHERE}[agent].livenessProbe: is periodSeconds 20 x failureThreshold 3 = 60 s, {MUST}",
        f"{WHERE}[agent].readinessProbe: is periodSeconds 5 x failureThreshold 10 = 50 s, {MUST}",
        f"{WHERE}[sidecar].livenessProbe: is periodSeconds not set (10) x failureThreshold 4 = 40 s, {MUST}",
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL, failure_detection_seconds=30)


def test_the_target_is_the_stages():
    assert check(rule, fixture(rule, "fail", "slow-probes"), failure_detection_seconds=60) == []
    findings = check(rule, fixture(rule, "pass", "fast-probes"), failure_detection_seconds=20)
    assert messages(findings) == [
        f"{WHERE}[agent].readinessProbe: is periodSeconds not set (10) x failureThreshold "
        "not set (3) = 30 s, must be at most 20 s (the failure-detection target)."
    ]
