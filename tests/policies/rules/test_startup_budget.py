from policies.rules import startup_budget as rule
from tests.policies.helpers import check, fixture, pass_and_fail_tests

WHERE = "Deployment agent-platform-prod/agent-service spec.template.spec.containers"
MUST = "must be at most 300 s (the failed-instance recovery target)."
FAIL = {
    "guide-startup": [
        f"{WHERE}[agent].startupProbe: is initialDelaySeconds 10 + periodSeconds 10 x failureThreshold 30 = 310 s, {MUST}",
        f"{WHERE}[patient].startupProbe: is initialDelaySeconds not set (0) + periodSeconds not set (10) "
        f"x failureThreshold 40 = 400 s, {MUST}",
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL, recovery_seconds=300)


def test_the_target_is_the_stages():
    assert check(rule, fixture(rule, "fail", "guide-startup"), recovery_seconds=600) == []
    assert [f.path for f in check(rule, fixture(rule, "pass", "within-recovery"), recovery_seconds=299)] == [
        "spec.template.spec.containers[edge].startupProbe"
    ]
