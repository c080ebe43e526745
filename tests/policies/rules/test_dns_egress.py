from policies.rules import dns_egress as rule
from tests.policies.helpers import pass_and_fail_tests

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


test_pass, test_fail = pass_and_fail_tests(rule, FAIL)
