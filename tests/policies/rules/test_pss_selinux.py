import pytest

from policies.rules import pss_selinux as rule
from tests.policies.helpers import check, fixture, fixtures, messages
from tests.policies.pss_inputs import as_pulumi, odd_pod_manifests

DEPLOYMENT = "Deployment agent-platform-prod/tool-service spec.template.spec"
TYPES = "container_t, container_init_t, container_kvm_t, container_engine_t"
FAIL = {
    "deployment": [  # user and role at pod level, a type on a container
        f"{DEPLOYMENT}.securityContext.seLinuxOptions.user: is 'system_u', must be unset.",
        f"{DEPLOYMENT}.securityContext.seLinuxOptions.role: is 'system_r', must be unset.",
        f"{DEPLOYMENT}.containers[tool].securityContext.seLinuxOptions.type: is 'spc_t', must be unset or one of {TYPES}.",
    ],
    "job": [
        "Job model-training-prod/dataset-import spec.template.spec.initContainers[fetch].securityContext"
        f".seLinuxOptions.type: is 'unconfined_t', must be unset or one of {TYPES}.",
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
    assert {f.rule_id for f in findings} == {"pss-selinux"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_every_fail_fixture_is_checked():
    assert sorted(FAIL) == fixtures(rule, "fail")


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
