from policies.rules import no_secret_objects as rule
from tests.policies.helpers import check, fixture, messages, pass_test
from tests.policies.odd_manifests import ODD

EXPECTED = "must be an ExternalSecret that creates the Secret from the secret manager."


test_pass = pass_test(rule)


def test_fail_names_every_secret_without_its_data():
    findings = check(rule, fixture(rule, "fail", "secrets"))
    assert messages(findings) == [
        f"Secret agent-platform-prod/redis-credentials: is a Secret in the manifests with data and stringData (not shown), {EXPECTED}",
        f"Secret agent-platform-prod/registry-pull: is a Secret in the manifests, {EXPECTED}",
        f"Secret cluster-wide: is a Secret in the manifests, {EXPECTED}",
    ]
    assert {f.rule_id for f in findings} == {"no-secret-objects"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)
    text = " ".join(f.message() + f.observed for f in findings)
    assert "aHVudGVy" not in text and "do-not-show" not in text


def test_odd_manifests_do_not_crash():
    assert [f.resource for f in check(rule, ODD)] == ["Secret ns/s"]
