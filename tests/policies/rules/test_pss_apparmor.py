import pytest

from policies.rules import pss_apparmor as rule
from tests.policies.helpers import check, fixture, fixtures, messages
from tests.policies.pss_inputs import as_pulumi, odd_pod_manifests

DEPLOYMENT = "Deployment agent-platform-prod/tool-service spec.template"
POD = "Pod agent-platform-prod/agent-service-7d9f"
FAIL = {
    "deployment": [  # the pod template's annotation and the pod-level profile; RuntimeDefault on the container passes
        f"{DEPLOYMENT}.metadata.annotations[container.apparmor.security.beta.kubernetes.io/tool]: is 'unconfined', "
        "must be runtime/default or localhost/<profile>.",
        f"{DEPLOYMENT}.spec.securityContext.appArmorProfile.type: is 'Unconfined', must be RuntimeDefault or Localhost.",
    ],
    "pod": [  # a bare Pod's own annotations; init and ephemeral containers
        f"{POD} metadata.annotations[container.apparmor.security.beta.kubernetes.io/debugger]: is 'docker-default', "
        "must be runtime/default or localhost/<profile>.",
        f"{POD} spec.initContainers[setup].securityContext.appArmorProfile.type: is 'Unconfined', "
        "must be RuntimeDefault or Localhost.",
        f"{POD} spec.ephemeralContainers[debugger].securityContext.appArmorProfile.type: is 'Unconfined', "
        "must be RuntimeDefault or Localhost.",
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
    assert {f.rule_id for f in findings} == {"pss-apparmor"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_every_fail_fixture_is_checked():
    assert sorted(FAIL) == fixtures(rule, "fail")


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
