from policies.rules import default_deny as rule
from tests.policies.helpers import check, fixture, pass_and_fail_tests

EXPECTED = (
    "must be covered by a NetworkPolicy with podSelector {}, policyTypes [Ingress, Egress] and no rules "
    "(a default deny per namespace)."
)
FAIL = {
    "no-network-policy": [
        f"Namespace team-a: is without a default-deny NetworkPolicy, holding Deployment team-a/api, {EXPECTED}"
    ],
    "not-deny-all": [
        "Namespace agent-platform-prod: is without a default-deny NetworkPolicy, holding Deployment "
        "agent-platform-prod/a, Deployment agent-platform-prod/b, Deployment agent-platform-prod/c and 1 more, "
        + EXPECTED
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL, mandatory=True)


def test_the_violation_points_at_the_namespace_when_it_is_in_the_stack():
    (finding,) = check(rule, fixture(rule, "fail", "no-network-policy"))
    assert finding.resource_id is not None and finding.resource_id.kind == "Namespace"
