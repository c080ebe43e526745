from policies.rules import pss_privilege_escalation as rule
from tests.policies.helpers import check, fixture, messages


def test_pass():
    assert check(rule, fixture(rule, "pass", "deployment")) == []


def test_windows_pods_are_exempt():
    assert check(rule, fixture(rule, "pass", "windows")) == []


def test_fail_names_every_container_that_may_escalate():
    findings = check(rule, fixture(rule, "fail", "cronjob"))
    assert messages(findings) == [
        "CronJob agent-platform-prod/report spec.jobTemplate.spec.template.spec.initContainers[wait]"
        ".securityContext.allowPrivilegeEscalation: is true, must be false.",
        "CronJob agent-platform-prod/report spec.jobTemplate.spec.template.spec.containers[report]"
        ".securityContext.allowPrivilegeEscalation: is not set, must be false.",
    ]
    assert {f.rule_id for f in findings} == {"pss-privilege-escalation"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_kinds_without_pods_are_ignored():
    assert check(rule, [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}]) == []
