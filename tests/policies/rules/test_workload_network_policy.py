import pytest

from policies.rules import workload_network_policy as rule
from tests.policies.helpers import check, fixture, fixtures, messages

MUST = (
    "must be selected by a NetworkPolicy in agent-platform-prod whose podSelector matches them "
    "(an explicit policy per workload)."
)
FAIL = {
    "no-network-policy": [
        f"Deployment agent-platform-prod/agent-service spec.template.metadata.labels: is selected by no NetworkPolicy "
        f"of its own, {MUST}",
        f"Pod agent-platform-prod/debug metadata.labels: is selected by no NetworkPolicy of its own, {MUST}",
    ],
    "selector-mismatch": [
        f"StatefulSet agent-platform-prod/cache spec.template.metadata.labels: is selected by no NetworkPolicy "
        f"of its own, {MUST}"
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
