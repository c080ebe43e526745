from policies.rules import limit_range_ratio as rule
from tests.policies.helpers import check, fixture, messages, pass_test
from tests.policies.odd_manifests import ODD

SOURCE = "LimitRange agent-platform-prod/limits spec.limits[Container]"


test_pass = pass_test(rule)


def test_fail_names_every_container_outside_the_limit_range():
    findings = check(rule, fixture(rule, "fail", "namespace"))
    agent = "Deployment agent-platform-prod/agent-service spec.template.spec.containers[agent].resources"
    cron = "CronJob agent-platform-prod/postgres-backup-agents spec.jobTemplate.spec.template.spec"
    assert messages(findings) == [
        f"{agent}.limits.memory: is 16Gi, must be at most 8Gi ({SOURCE}.max.memory).",
        f"{agent}.limits.cpu: is 2 (8 x the request 250m), must be at most 4 x the request ({SOURCE}.maxLimitRequestRatio.cpu).",
        f"{agent}.limits.memory: is 16Gi (16 x the request 1Gi), must be at most 4 x the request "
        f"({SOURCE}.maxLimitRequestRatio.memory).",
        f"{cron}.initContainers[wait].resources.requests.cpu: is 10m, must be at least 50m ({SOURCE}.min.cpu).",
        f"{cron}.containers[pg-dump].resources.limits.cpu: is 2 (defaulted; 20 x the request 100m), must be at most "
        f"4 x the request ({SOURCE}.maxLimitRequestRatio.cpu).",
    ]
    assert {f.rule_id for f in findings} == {"limit-range-ratio"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_missing_request_or_limit_cannot_meet_a_ratio():
    limit_range = {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "l", "namespace": "ns"},
        "spec": {"limits": [{"type": "Container", "maxLimitRequestRatio": {"cpu": 2.0}}]},
    }
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {
            "containers": [
                {"name": "a", "image": "x:1", "resources": {"requests": {"cpu": "1"}}},
                {"name": "b", "image": "x:1", "resources": {"requests": {"cpu": 0}, "limits": {"cpu": "1"}}},
            ]
        },
    }
    assert [(f.path, f.observed) for f in check(rule, [limit_range, pod])] == [
        ("spec.containers[a].resources.limits.cpu", "not set"),
        ("spec.containers[b].resources.requests.cpu", "0 (so no ratio)"),
    ]


def test_odd_manifests_do_not_crash():
    assert check(rule, ODD) == []
