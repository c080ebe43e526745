from policies.rules import no_allow_all_ingress as rule
from tests.policies.helpers import pass_and_fail_tests

POLICY = "NetworkPolicy agent-platform-prod/agent-service"
PEERS = "must be a list of peers narrower than every source (labelled namespaces, selected pods, bounded IP blocks)."
NAMESPACES = "must be a selector of labelled namespaces, or {} paired with a non-empty podSelector."
FAIL = {
    "allow-all": [
        f"{POLICY} spec.ingress[0].from: is not set (every source, on every port), {PEERS}",
        f"{POLICY} spec.ingress[1].from: is not set (every source, on its ports), {PEERS}",
        f"{POLICY} spec.ingress[2].from: is [] (every source, on every port), {PEERS}",
        f"{POLICY} spec.ingress[3].from[0].ipBlock.cidr: is '0.0.0.0/0' (every address), "
        "must be a CIDR narrower than every address.",
        f"{POLICY} spec.ingress[3].from[1].ipBlock.cidr: is '::/0' (every address), "
        "must be a CIDR narrower than every address.",
        f"{POLICY} spec.ingress[4].from[0].namespaceSelector: is {{}} with no podSelector (every pod of every namespace), "
        + NAMESPACES,
        f"{POLICY} spec.ingress[4].from[1].namespaceSelector: is {{}} with podSelector {{}} (every pod of every namespace), "
        + NAMESPACES,
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL)
