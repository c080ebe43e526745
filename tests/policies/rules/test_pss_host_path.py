import pytest

from policies.rules import pss_host_path as rule
from tests.policies.helpers import check, fixture, fixtures, messages
from tests.policies.pss_inputs import as_pulumi, odd_pod_manifests

FAIL = {
    "daemonset": [
        "DaemonSet monitoring/log-collector spec.template.spec.volumes[varlog].hostPath: is set to '/var/log', "
        "must be unset.",
        "DaemonSet monitoring/log-collector spec.template.spec.volumes[containers].hostPath: "
        "is set to '/var/lib/docker/containers', must be unset.",
    ],
    "cronjob": [  # a hostPath with no path
        "CronJob agent-platform-prod/image-prune spec.jobTemplate.spec.template.spec.volumes[runtime].hostPath: "
        "is set, must be unset.",
    ],
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
    assert {f.rule_id for f in findings} == {"pss-host-path"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_every_fail_fixture_is_checked():
    assert sorted(FAIL) == fixtures(rule, "fail")


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
