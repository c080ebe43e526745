import pytest

from policies.rules import dns_egress as rule
from tests.policies.helpers import check, fixture, fixtures, messages

MUST = "must be allowed egress to port 53 over UDP and TCP (cluster DNS), or no name resolves."
FAIL = {
    "no-dns": [
        "Deployment agent-platform-prod/agent-service: is restricted in egress (NetworkPolicy default-deny, "
        f"agent-service) with no egress to 53/UDP or 53/TCP, {MUST}"
    ],
    "udp-only": [
        "Deployment agent-platform-prod/agent-service: is restricted in egress (NetworkPolicy agent-service) "
        f"with no egress to 53/TCP, {MUST}"
    ],
}


@pytest.mark.parametrize("name", fixtures(rule, "pass"))
def test_pass(name):
    assert check(rule, fixture(rule, "pass", name)) == []


@pytest.mark.parametrize("name", fixtures(rule, "fail"))
def test_fail(name):
    findings = check(rule, fixture(rule, "fail", name))
    assert messages(findings) == FAIL[name]
    assert {f.rule_id for f in findings} == {rule.ID}
