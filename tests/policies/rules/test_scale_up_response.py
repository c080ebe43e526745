import pytest

from policies.rules import scale_up_response as rule
from tests.policies.helpers import check, fixture, fixtures, messages

HPA = "HorizontalPodAutoscaler agent-platform-prod/agent-service spec.behavior.scaleUp"
MUST = "must be at most 60 s (the scale-up response target)."
FAIL = {
    "slow-scale-up": [
        f"{HPA}.selectPolicy: is 'Disabled' (never scales up), must be 'Max' or 'Min'.",
        f"{HPA}.stabilizationWindowSeconds: is 120, {MUST}",
        f"{HPA}.policies[1].periodSeconds: is 120, {MUST}",
    ],
}


@pytest.mark.parametrize("name", fixtures(rule, "pass"))
def test_pass(name):
    assert check(rule, fixture(rule, "pass", name), scale_up_seconds=60) == []


@pytest.mark.parametrize("name", fixtures(rule, "fail"))
def test_fail(name):
    findings = check(rule, fixture(rule, "fail", name), scale_up_seconds=60)
    assert messages(findings) == FAIL[name]
    assert {f.rule_id for f in findings} == {rule.ID}


def test_the_target_is_the_stages():
    assert [f.path for f in check(rule, fixture(rule, "fail", "slow-scale-up"), scale_up_seconds=120)] == [
        "spec.behavior.scaleUp.selectPolicy"
    ]
    assert [f.path for f in check(rule, fixture(rule, "pass", "reference-behaviour"), scale_up_seconds=10)] == [
        "spec.behavior.scaleUp.policies[0].periodSeconds",
        "spec.behavior.scaleUp.policies[1].periodSeconds",
    ]
