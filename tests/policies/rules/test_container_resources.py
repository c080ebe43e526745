from policies.rules import container_resources as rule
from tests.policies.helpers import check, fixture, messages, pass_test
from tests.policies.odd_manifests import ODD

QUANTITY = "must be a non-negative quantity, e.g. 500m, 2, 512Mi or 4Gi."


test_pass = pass_test(rule)


def test_fail_names_every_missing_invalid_or_inverted_value():
    findings = check(rule, fixture(rule, "fail", "workloads"))
    cron = "CronJob agent-platform-prod/postgres-backup-agents spec.jobTemplate.spec.template.spec"
    task = "Deployment agent-platform-prod/task-service spec.template.spec.containers[task]"
    assert messages(findings) == [
        f"{cron}.initContainers[wait].resources.requests.cpu: is not set, {QUANTITY}",
        f"{cron}.initContainers[wait].resources.requests.memory: is not set, {QUANTITY}",
        f"{cron}.initContainers[wait].resources.limits.cpu: is not set, {QUANTITY}",
        f"{cron}.initContainers[wait].resources.limits.memory: is not set, {QUANTITY}",
        f"{cron}.containers[pg-dump].resources.requests.memory: is '512MB', not a quantity, {QUANTITY}",
        f"{cron}.containers[pg-dump].resources.limits.memory: is -1Gi, negative, {QUANTITY}",
        f"{cron}.containers[pg-dump].resources.requests.cpu: is 2, must be at most the limit 500m.",
        f"{task}.resources.limits.cpu: is not set, {QUANTITY}",
        f"{task}.resources.requests.memory: is 2Gi, must be at most the limit 1Gi.",
    ]
    assert {f.rule_id for f in findings} == {"container-resources"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_pulumi_floats_are_quantities():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "image": "x:1",
                    "resources": {
                        "requests": {"cpu": 1.0, "memory": 134217728.0},
                        "limits": {"cpu": 2.0, "memory": "1Gi"},
                    },
                }
            ]
        },
    }
    assert check(rule, [pod]) == []


def test_odd_manifests_do_not_crash():
    assert [f.observed for f in check(rule, ODD)][-2:] == ["'[1]', not a quantity", "'true', not a quantity"]
