from policies.rules import egress_ports as rule
from tests.policies.helpers import check, fixture, pass_and_fail_tests

POLICY = "NetworkPolicy agent-platform-prod/agent-service"
LIST = "in the allowed egress ports 53, 443, 5432, 6379 (the stage's egress targets)"
FAIL = {
    "open-ports": [
        f"{POLICY} spec.egress[0].ports: is not set (every port open), must be a list of ports {LIST}.",
        f"{POLICY} spec.egress[1].ports[0].port: is 8443, must be {LIST}.",
        f"{POLICY} spec.egress[1].ports[1].port: is not set (every UDP port open), must be {LIST}.",
        f"{POLICY} spec.egress[2].ports[0].port: is 'dns', a named port that this policy cannot resolve, "
        f"must be a port number {LIST}.",
        f"{POLICY} spec.egress[3].ports[0].endPort: is 5440, opening 5432-5440 (8 ports outside the list), must be {LIST}.",
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL)


def test_the_stage_list_replaces_the_reference_one():
    findings = check(rule, fixture(rule, "fail", "open-ports"), allowed_egress_ports=[8443, *range(5432, 5441)])
    assert [f.path for f in findings] == [
        "spec.egress[0].ports",
        "spec.egress[1].ports[1].port",
        "spec.egress[2].ports[0].port",
    ]
    assert (
        findings[0].expected == "a list of ports in the allowed egress ports 5432, 5433, 5434, 5435, 5436, 5437, "
        "5438, 5439, 5440, 8443 (the stage's egress targets)"
    )
    assert [f.path for f in check(rule, fixture(rule, "pass", "declared-ports"), allowed_egress_ports=[53])] == [
        "spec.egress[1].ports[0].port",
        "spec.egress[2].ports[0].port",
        "spec.egress[3].ports[0].port",
    ]


def test_other_kinds_and_ingress_rules_are_ignored():
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "p", "namespace": "n"},
        "spec": {"podSelector": {}, "ingress": [{}], "egress": "junk"},
    }
    assert check(rule, [policy, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}}]) == []
