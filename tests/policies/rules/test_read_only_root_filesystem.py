import pytest

from policies.rules import read_only_root_filesystem as rule
from tests.policies.helpers import check, fixture, fixtures, messages
from tests.policies.pss_inputs import as_pulumi, odd_pod_manifests

STS = "StatefulSet agent-platform-prod/agent-service spec.template.spec"
FAIL = {
    "statefulset": [  # unset on an init container, false on a container
        f"{STS}.initContainers[migrate].securityContext.readOnlyRootFilesystem: is not set, must be true.",
        f"{STS}.containers[agent].securityContext.readOnlyRootFilesystem: is false, must be true.",
    ],
    "pod": [
        "Pod agent-platform-prod/agent-service-7d9f spec.ephemeralContainers[debugger].securityContext"
        ".readOnlyRootFilesystem: is not set, must be true.",
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
    assert {f.rule_id for f in findings} == {"read-only-root-filesystem"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_every_fail_fixture_is_checked():
    assert sorted(FAIL) == fixtures(rule, "fail")


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
