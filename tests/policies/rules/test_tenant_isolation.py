from kube.network_reach import NetworkModel, Pod
from kube.tenancy import TENANT_LABEL
from policies.rules import tenant_isolation as rule
from tests.policies.helpers import check, fixture, messages, pass_and_fail_tests


def expected(tenant: str) -> str:
    return (
        f"must be peers admitting no other tenant's pods: a podSelector alone, or a namespaceSelector matching only "
        f"namespaces of tenant '{tenant}' or without the {TENANT_LABEL} label."
    )


ACME = "NetworkPolicy tenant-acme-prod/agent-service"
OTHERS = "tenant-globex-prod (tenant 'globex') and 1 more namespace of other tenants"
DENY = (
    "must be covered by a NetworkPolicy with podSelector {} and Ingress in its policyTypes (the tenant's default deny)."
)
FAIL = {
    "admits-other-tenants": [
        f"{ACME} spec.ingress[0].from: is not set (every source, the pods of {OTHERS} included), {expected('acme')}",
        f"{ACME} spec.ingress[1].from: is [] (every source, the pods of {OTHERS} included), {expected('acme')}",
        f"{ACME} spec.ingress[2].from[1]: is a namespaceSelector {{}} matching {OTHERS}, {expected('acme')}",
        f"{ACME} spec.ingress[2].from[2]: is a namespaceSelector {{matchLabels: {{tier: 'gold'}}}} matching "
        f"tenant-globex-prod (tenant 'globex'), {expected('acme')}",
        f"{ACME} spec.ingress[2].from[3]: is a namespaceSelector {{matchLabels: {{kubernetes.io/metadata.name: "
        f"'tenant-initech-prod'}}}} matching tenant-initech-prod (tenant 'initech'), {expected('acme')}",
        f"{ACME} spec.ingress[2].from[4]: is a namespaceSelector {{matchExpressions: [{{key: '{TENANT_LABEL}', "
        f"operator: 'NotIn', values: ['acme']}}]}} matching {OTHERS}, {expected('acme')}",
        f"{ACME} spec.ingress[2].from[5]: is an ipBlock with cidr '10.0.0.0/8', which may cover the pods of {OTHERS} "
        f"(pod IPs are unknown before they run), {expected('acme')}",
        f"NetworkPolicy tenant-globex-prod/scrape spec.ingress[0].from[0]: is a namespaceSelector {{matchExpressions: "
        f"[{{key: '{TENANT_LABEL}', operator: 'Exists'}}]}} matching tenant-acme-prod (tenant 'acme') and 1 more "
        f"namespace of other tenants, {expected('globex')}",
    ],
    "no-default-deny": [
        f"Namespace tenant-acme-prod: is without a NetworkPolicy isolating its pods for ingress (tenant 'acme'), {DENY}",
        f"Namespace tenant-globex-prod: is without a NetworkPolicy isolating its pods for ingress (tenant 'globex'), "
        f"{DENY}",
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL, mandatory=True)


def test_violations_point_at_the_policy_and_the_namespace():
    (namespace, _) = check(rule, fixture(rule, "fail", "no-default-deny"))
    assert namespace.resource_id.kind == "Namespace" and namespace.resource_id.name == "tenant-acme-prod"
    peer = check(rule, fixture(rule, "fail", "admits-other-tenants"))[0]
    assert (peer.resource_id.kind, peer.resource_id.namespace, peer.resource_id.name) == (
        "NetworkPolicy",
        "tenant-acme-prod",
        "agent-service",
    )


def tenant_namespace(name, tenant, **labels):
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {TENANT_LABEL: tenant, **labels}},
    }


def policy(namespace, spec, name="p"):
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def deny(namespace):
    return policy(namespace, {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, "default-deny")


def test_with_a_single_tenant_no_peer_admits_another_tenant():
    manifests = [
        tenant_namespace("t-a", "a"),
        deny("t-a"),
        policy(
            "t-a",
            {
                "podSelector": {},
                "ingress": [{}, {"from": [{"namespaceSelector": {}}, {"ipBlock": {"cidr": "0.0.0.0/0"}}]}],
            },
        ),
    ]
    assert check(rule, manifests) == []


def test_rules_are_checked_also_where_policy_types_leave_them_inert():
    manifests = [tenant_namespace("t-a", "a"), tenant_namespace("t-b", "b"), deny("t-a"), deny("t-b")]
    manifests.append(
        policy(
            "t-a", {"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{"from": [{"namespaceSelector": {}}]}]}
        )
    )
    assert messages(check(rule, manifests)) == [
        f"NetworkPolicy t-a/p spec.ingress[0].from[0]: is a namespaceSelector {{}} matching t-b (tenant 'b'), {expected('a')}"
    ]


def test_a_null_rule_admits_every_source():
    manifests = [tenant_namespace("t-a", "a"), tenant_namespace("t-b", "b"), deny("t-a"), deny("t-b")]
    manifests.append(policy("t-a", {"podSelector": {}, "ingress": [None]}))
    assert messages(check(rule, manifests)) == [
        f"NetworkPolicy t-a/p spec.ingress[0].from: is not set (every source, the pods of t-b (tenant 'b') included), {expected('a')}"
    ]


def test_a_peer_without_selectors_admits_nothing():
    manifests = [tenant_namespace("t-a", "a"), tenant_namespace("t-b", "b"), deny("t-a"), deny("t-b")]
    manifests.append(policy("t-a", {"podSelector": {}, "ingress": [{"from": [{}]}]}))
    assert check(rule, manifests) == []


def test_a_selector_of_shared_namespaces_passes_even_when_it_names_a_tenant_label_value_elsewhere():
    manifests = [tenant_namespace("t-a", "a"), tenant_namespace("t-b", "b"), deny("t-a"), deny("t-b")]
    manifests.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shared", "labels": {"team": "b"}}})
    manifests.append(
        policy(
            "t-a", {"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "b"}}}]}]}
        )
    )
    assert check(rule, manifests) == []


def test_the_pass_fixture_is_isolated_under_network_policy_semantics():
    manifests = fixture(rule, "pass", "isolated-tenants")
    model = NetworkModel(manifests)
    names = ("agent-service", "task-service", "tool-service")
    tenants = {"tenant-acme-prod": "acme", "tenant-acme-batch-prod": "acme", "tenant-globex-prod": "globex"}
    pods = [Pod(ns, {"app.kubernetes.io/name": name}) for ns in tenants for name in names]
    crossing = [
        (source, destination, port)
        for source in pods
        for destination in pods
        if tenants[source.namespace] != tenants[destination.namespace]
        for port in (8080, 9090, 5432)
        if model.can_reach(source, destination, port)
    ]
    assert crossing == []


def fleet(tenants: int) -> list[dict]:
    """A stage with many tenants whose policies are what the generator writes (identical but for names)."""
    manifests = []
    for index in range(tenants):
        ns = f"tenant-{index:03}-prod"
        manifests += [tenant_namespace(ns, f"t{index:03}"), deny(ns)]
        for service in (
            "agent-service",
            "task-service",
            "tool-service",
            "user-service",
            "cost-service",
            "x",
            "y",
            "z",
            "w",
        ):
            ingress = [
                {
                    "from": [{"namespaceSelector": {"matchLabels": {"network-policy": "allow-agentflow"}}}],
                    "ports": [{"port": 8080}],
                },
                {
                    "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
                    "ports": [{"port": 8080}],
                },
                {
                    "from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "agent-service"}}}],
                    "ports": [{"port": 9090}],
                },
                {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}}}]},
                {
                    "from": [
                        {"namespaceSelector": {"matchExpressions": [{"key": TENANT_LABEL, "operator": "DoesNotExist"}]}}
                    ]
                },
            ]
            manifests.append(
                policy(ns, {"podSelector": {"matchLabels": {"app": service}}, "ingress": ingress}, service)
            )
    return manifests


def test_selector_matches_are_cached_per_distinct_selector_at_fleet_scale(monkeypatch):
    calls = []
    real = rule.selector_matches
    monkeypatch.setattr(rule, "selector_matches", lambda selector, labels: calls.append(1) or real(selector, labels))
    tenants = 400
    manifests = fleet(tenants)
    assert sum(m["kind"] == "NetworkPolicy" for m in manifests) == 4000
    assert check(rule, manifests) == []
    # a naive check would match every peer against every namespace: 4000 policies x 4 selectors x 400 namespaces
    assert len(calls) <= 2 * tenants
