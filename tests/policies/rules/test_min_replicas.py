import pytest

from policies.rules import min_replicas as rule
from tests.policies.helpers import check, fixture, fixtures, messages

MUST = "must be at least 2 (policy.min_replicas), as one pod is a single point of failure."
FAIL = {
    "monitoring-service-one-replica": [
        f"Deployment agent-platform-prod/monitoring-service spec.replicas: is 1, {MUST}"
    ],
    "hpa-minimum-one": [
        "HorizontalPodAutoscaler agent-platform-prod/task-service spec.minReplicas: is 1, the fewest pods of "
        f"Deployment agent-platform-prod/task-service, {MUST}",
        f"StatefulSet agent-platform-prod/cache spec.replicas: is not set (1), {MUST}",
    ],
    "zero-without-stop": [f"Deployment agent-platform-prod/cost-service spec.replicas: is 0, {MUST}"],
}


@pytest.mark.parametrize("name", fixtures(rule, "pass"))
def test_pass(name):
    assert check(rule, fixture(rule, "pass", name), min_replicas=2) == []


@pytest.mark.parametrize("name", fixtures(rule, "fail"))
def test_fail(name):
    findings = check(rule, fixture(rule, "fail", name), min_replicas=2)
    assert messages(findings) == FAIL[name]
    assert {f.rule_id for f in findings} == {rule.ID}


def test_the_default_minimum_is_one_replica():
    assert check(rule, fixture(rule, "fail", "monitoring-service-one-replica")) == []
    zero = fixture(rule, "fail", "monitoring-service-one-replica")
    zero[0]["spec"]["replicas"] = 0
    assert messages(check(rule, zero)) == [
        "Deployment agent-platform-prod/monitoring-service spec.replicas: is 0, must be at least 1 (policy.min_replicas)."
    ]


def test_a_higher_minimum_is_honoured():
    findings = check(rule, fixture(rule, "pass", "hpa-minimum"), min_replicas=3)
    assert [(f.resource, f.path) for f in findings] == [
        ("HorizontalPodAutoscaler agent-platform-prod/monitoring-service", "spec.minReplicas")
    ]
