from policies.rules import readiness_interval as rule
from tests.policies.helpers import check, fixture, pass_and_fail_tests

WHERE = "Deployment agent-platform-prod/agent-service spec.template.spec.containers"
FAIL = {
    "slow-readiness": [
        f"{WHERE}[agent].readinessProbe.periodSeconds: is not set (10), "
        "must be below 10 s (the health-check interval target).",
        f"{WHERE}[api].readinessProbe: is not set on a container serving ports 8081, 9090, "
        "must be a probe with periodSeconds below 10 s (the health-check interval target).",
        f"{WHERE}[slow].readinessProbe.periodSeconds: is 15, must be below 10 s (the health-check interval target).",
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL, health_check_interval_seconds=10)


def test_the_target_is_the_stages():
    findings = check(rule, fixture(rule, "fail", "slow-readiness"), health_check_interval_seconds=20)
    assert [f.path for f in findings] == ["spec.template.spec.containers[api].readinessProbe"]
    assert findings[0].expected == "a probe with periodSeconds below 20 s (the health-check interval target)"
    assert [f.path for f in check(rule, fixture(rule, "pass", "fast-readiness"), health_check_interval_seconds=5)] == [
        "spec.template.spec.containers[agent].readinessProbe.periodSeconds"
    ]
