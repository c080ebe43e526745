from policies.rules import workload_network_policy as rule
from tests.policies.helpers import pass_and_fail_tests

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


test_pass, test_fail = pass_and_fail_tests(rule, FAIL)
