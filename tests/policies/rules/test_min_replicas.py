from policies.rules import min_replicas as rule
from tests.policies.helpers import check, fixture, messages, pass_and_fail_tests

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


test_pass, test_fail = pass_and_fail_tests(rule, FAIL, min_replicas=2)


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
