import pytest

from policies.rules import pss_sysctls as rule
from tests.policies.helpers import check, fixture, fixtures, messages
from tests.policies.pss_inputs import as_pulumi, odd_pod_manifests

STS = "StatefulSet agent-platform-prod/redis spec.template.spec.securityContext.sysctls"
FAIL = {
    "statefulset": [  # kernel.shm_rmid_forced between them is safe
        f"{STS}: is setting 'net.core.somaxconn', must be setting only safe sysctls.",
        f"{STS}: is setting 'vm.overcommit_memory', must be setting only safe sysctls.",
    ],
    "pod": [
        "Pod agent-platform-staging/mq-bench spec.securityContext.sysctls: is setting 'kernel.msgmax', "
        "must be setting only safe sysctls.",
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
    assert {f.rule_id for f in findings} == {"pss-sysctls"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_every_fail_fixture_is_checked():
    assert sorted(FAIL) == fixtures(rule, "fail")


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())


def test_every_safe_sysctl_of_the_standard_passes():
    sysctls = [{"name": name, "value": "1"} for name in rule.SAFE_SYSCTLS]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"securityContext": {"sysctls": sysctls}, "containers": [{"name": "c"}]},
    }
    assert len(rule.SAFE_SYSCTLS) == 12 and check(rule, [pod]) == []


def test_a_sysctl_without_a_name_is_reported():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"securityContext": {"sysctls": [{"value": "1"}]}, "containers": [{"name": "c"}]},
    }
    assert messages(check(rule, [pod])) == [
        "Pod ns/p spec.securityContext.sysctls: is setting a sysctl with no name, must be setting only safe sysctls."
    ]
