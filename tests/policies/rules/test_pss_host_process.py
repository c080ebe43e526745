import pytest

from policies.rules import pss_host_process as rule
from tests.policies.helpers import check, fixture, fixtures, messages
from tests.policies.pss_inputs import as_pulumi, odd_pod_manifests

DS = "DaemonSet monitoring/windows-exporter spec.template.spec"
POD = "Pod agent-platform-prod/debug-agent spec"
FAIL = {
    "daemonset": [  # pod level and an init container
        f"{DS}.securityContext.windowsOptions.hostProcess: is true, must be false.",
        f"{DS}.initContainers[setup].securityContext.windowsOptions.hostProcess: is true, must be false.",
    ],
    "pod": [  # a wrong type on a container, an ephemeral container
        f"{POD}.containers[agent].securityContext.windowsOptions.hostProcess: is 'true', must be false.",
        f"{POD}.ephemeralContainers[debugger].securityContext.windowsOptions.hostProcess: is true, must be false.",
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
    assert {f.rule_id for f in findings} == {"pss-host-process"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_every_fail_fixture_is_checked():
    assert sorted(FAIL) == fixtures(rule, "fail")


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
