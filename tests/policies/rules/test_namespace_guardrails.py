from policies.rules import namespace_guardrails as rule
from tests.policies.helpers import check, fixture, messages, pass_test
from tests.policies.odd_manifests import ODD

QUOTA = "must be covered by a ResourceQuota without scopes, which bounds all its pods."
LIMITS = "must be covered by a LimitRange (container defaults, max and ratio)."


test_pass = pass_test(rule)


def test_fail_names_every_namespace_without_guardrails():
    findings = check(rule, fixture(rule, "fail", "namespaces"))
    assert messages(findings) == [
        f"Namespace agent-platform-prod: is without a ResourceQuota, {QUOTA}",
        f"Namespace default: is without a ResourceQuota, {QUOTA}",
        f"Namespace default: is without a LimitRange, {LIMITS}",
        f"Namespace model-training-prod: is without an unscoped ResourceQuota (only scoped ones: training-jobs, "
        f"best-effort), {QUOTA}",
        f"Namespace model-training-prod: is without a LimitRange, {LIMITS}",
    ]
    assert {f.rule_id for f in findings} == {"namespace-guardrails"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)
    # A declared namespace is pointed at by its Namespace object; an undeclared one has no resource.
    assert [f.resource_id is not None for f in findings] == [False, False, False, True, True]


def test_a_declared_empty_namespace_needs_guardrails_too():
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "empty"}}
    assert len(check(rule, [namespace])) == 2


def test_odd_manifests_do_not_crash():
    assert check(rule, ODD) == []
