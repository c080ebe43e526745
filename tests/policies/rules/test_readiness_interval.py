from policies.rules import readiness_interval as rule
from tests.policies.helpers import check, fixture, pass_and_fail_tests

WHERE = "Deployment agent-platform-prod/agent-service spec.template.spec.containers"
FAIL = {
    "slow-readiness": [
        f"{WHERE}[agent].readinessProbe.periodSeconds: is not set (10), "
        "must be below 10 s (the health-check interval target).",
        f"{WHERE}[slow].readinessProbe.periodSeconds: is 15, must be below 10 s (the health-check interval target).",
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL, health_check_interval_seconds=10)


def test_the_target_is_the_stages():
    findings = check(rule, fixture(rule, "fail", "slow-readiness"), health_check_interval_seconds=20)
    assert [f.path for f in findings] == []
    assert [f.path for f in check(rule, fixture(rule, "pass", "fast-readiness"), health_check_interval_seconds=5)] == [
        "spec.template.spec.containers[agent].readinessProbe.periodSeconds"
    ]
    (finding,) = check(rule, fixture(rule, "fail", "slow-readiness"), health_check_interval_seconds=12)
    assert finding.path == "spec.template.spec.containers[slow].readinessProbe.periodSeconds"
    assert finding.expected == "below 12 s (the health-check interval target)"


def test_a_serving_container_without_a_probe_is_left_to_readiness_probe():
    findings = check(rule, fixture(rule, "fail", "slow-readiness"))
    assert "spec.template.spec.containers[api].readinessProbe" not in {f.path for f in findings}
