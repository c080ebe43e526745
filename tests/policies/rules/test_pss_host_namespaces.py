import pytest

from policies.rules import pss_host_namespaces as rule
from tests.policies.helpers import check, fixture, fixtures, messages
from tests.policies.pss_inputs import as_pulumi, odd_pod_manifests

FAIL = {
    "daemonset": [  # each field set true is its own finding; hostIPC: false passes
        "DaemonSet monitoring/node-exporter spec.template.spec.hostNetwork: is true, must be false.",
        "DaemonSet monitoring/node-exporter spec.template.spec.hostPID: is true, must be false.",
    ],
    "pod": ["Pod model-training-prod/shm-bench spec.hostIPC: is true, must be false."],
}


@pytest.mark.parametrize("name", fixtures(rule, "pass"))
@pytest.mark.parametrize("shape", [list, as_pulumi], ids=["yaml", "pulumi"])
def test_pass_fixture_has_no_finding(name, shape):
    assert check(rule, shape(fixture(rule, "pass", name))) == []


@pytest.mark.parametrize("name", sorted(FAIL))
@pytest.mark.parametrize("shape", [list, as_pulumi], ids=["yaml", "pulumi"])
def test_fail_fixture_names_each_violation(name, shape):
    findings = check(rule, shape(fixture(rule, "fail", name)))
    assert messages(findings) == FAIL[name]
    assert {f.rule_id for f in findings} == {"pss-host-namespaces"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_every_fail_fixture_is_checked():
    assert sorted(FAIL) == fixtures(rule, "fail")


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())


def test_a_cronjob_pod_is_checked_at_its_own_path():
    cronjob = fixture(rule, "pass", "cronjob")
    cronjob[0]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["hostNetwork"] = True
    assert messages(check(rule, cronjob)) == [
        "CronJob agent-platform-prod/postgres-backup-agents spec.jobTemplate.spec.template.spec.hostNetwork: "
        "is true, must be false."
    ]
