import pytest

from policies.rules import failure_detection as rule
from tests.policies.helpers import check, fixture, fixtures, messages

WHERE = "Deployment agent-platform-prod/agent-service spec.template.spec.containers"
MUST = "must be at most 30 s (the failure-detection target)."
FAIL = {
    "slow-probes": [
        f"{WHERE}[agent].livenessProbe: is periodSeconds 20 x failureThreshold 3 = 60 s, {MUST}",
        f"{WHERE}[agent].readinessProbe: is periodSeconds 5 x failureThreshold 10 = 50 s, {MUST}",
        f"{WHERE}[sidecar].livenessProbe: is periodSeconds not set (10) x failureThreshold 4 = 40 s, {MUST}",
    ],
}


@pytest.mark.parametrize("name", fixtures(rule, "pass"))
def test_pass(name):
    assert check(rule, fixture(rule, "pass", name), failure_detection_seconds=30) == []


@pytest.mark.parametrize("name", fixtures(rule, "fail"))
def test_fail(name):
    findings = check(rule, fixture(rule, "fail", name), failure_detection_seconds=30)
    assert messages(findings) == FAIL[name]
    assert {f.rule_id for f in findings} == {rule.ID}


def test_the_target_is_the_stages():
    assert check(rule, fixture(rule, "fail", "slow-probes"), failure_detection_seconds=60) == []
    findings = check(rule, fixture(rule, "pass", "fast-probes"), failure_detection_seconds=20)
    assert messages(findings) == [
        f"{WHERE}[agent].readinessProbe: is periodSeconds not set (10) x failureThreshold "
        "not set (3) = 30 s, must be at most 20 s (the failure-detection target)."
    ]
