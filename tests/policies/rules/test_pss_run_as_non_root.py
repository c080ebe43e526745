import pytest

from policies.rules import pss_run_as_non_root as rule
from tests.policies.helpers import check, fixture, fixtures, messages
from tests.policies.pss_inputs import as_pulumi, odd_pod_manifests

FAIL = {
    "cronjob": [  # set nowhere: one finding, at pod level
        "CronJob agent-platform-prod/report spec.jobTemplate.spec.template.spec.securityContext.runAsNonRoot: "
        "is not set (nor on any container), must be true.",
    ],
    "deployment": [  # true at pod level does not cover an init container that sets false
        "Deployment agent-platform-prod/user-service spec.template.spec.initContainers[migrate].securityContext"
        ".runAsNonRoot: is false, must be true.",
    ],
    "statefulset": [  # false at pod level fails even where a container sets true
        "StatefulSet agent-platform-prod/agent-service spec.template.spec.securityContext.runAsNonRoot: "
        "is false, must be true.",
    ],
    "pod": [  # not on the pod: every container needs it, the ephemeral one included
        "Pod agent-platform-prod/agent-service-7d9f spec.ephemeralContainers[debugger].securityContext.runAsNonRoot: "
        "is not set (nor on the pod), must be true.",
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
    assert {f.rule_id for f in findings} == {"pss-run-as-non-root"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_every_fail_fixture_is_checked():
    assert sorted(FAIL) == fixtures(rule, "fail")


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
