import pytest

from policies.rules import pss_privileged as rule
from tests.policies.helpers import check, fixture, fixtures, messages
from tests.policies.pss_inputs import as_pulumi, odd_pod_manifests

DS = "DaemonSet storage/csi-node spec.template.spec"
FAIL = {
    "daemonset": [  # init and regular containers; privileged: false passes
        f"{DS}.initContainers[install].securityContext.privileged: is true, must be false.",
        f"{DS}.containers[driver].securityContext.privileged: is true, must be false.",
    ],
    "pod": [
        "Pod agent-platform-prod/agent-service-7d9f spec.ephemeralContainers[debugger].securityContext.privileged: "
        "is true, must be false.",
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
    assert {f.rule_id for f in findings} == {"pss-privileged"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_every_fail_fixture_is_checked():
    assert sorted(FAIL) == fixtures(rule, "fail")


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
