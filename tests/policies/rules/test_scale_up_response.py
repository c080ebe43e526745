from policies.rules import scale_up_response as rule
from tests.policies.helpers import check, fixture, pass_and_fail_tests

HPA = "HorizontalPodAutoscaler agent-platform-prod/agent-service spec.behavior.scaleUp"
MUST = "must be at most 60 s (the scale-up response target)."
FAIL = {
    "slow-scale-up": [
        f"{HPA}.selectPolicy: is 'Disabled' (never scales up), must be 'Max' or 'Min'.",
        f"{HPA}.stabilizationWindowSeconds: is 120, {MUST}",
        f"{HPA}.policies[1].periodSeconds: is 120, {MUST}",
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL, scale_up_seconds=60)


def test_the_target_is_the_stages():
    assert [f.path for f in check(rule, fixture(rule, "fail", "slow-scale-up"), scale_up_seconds=120)] == [
        "spec.behavior.scaleUp.selectPolicy"
    ]
    assert [f.path for f in check(rule, fixture(rule, "pass", "reference-behaviour"), scale_up_seconds=10)] == [
        "spec.behavior.scaleUp.policies[0].periodSeconds",
        "spec.behavior.scaleUp.policies[1].periodSeconds",
    ]
