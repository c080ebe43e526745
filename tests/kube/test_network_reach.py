"""kube/network_reach.py: who may connect to whom under NetworkPolicy semantics, denied and allowed cases."""

from __future__ import annotations

import json

import pytest

from kube.network_reach import NAMESPACE_NAME_LABEL, NetworkModel, Pod, can_reach, namespace_labels, pods_of
from kube.tenancy import TENANT_LABEL
from pipeline.render import render_stage


def namespace(name, **labels):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def policy(namespace_name, spec, name="p"):
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace_name},
        "spec": spec,
    }


def app(name):
    return {"matchLabels": {"app": name}}


def deny_all(namespace_name, *types):
    return policy(namespace_name, {"podSelector": {}, "policyTypes": list(types or ("Ingress", "Egress"))}, "deny")


A = Pod("n", {"app": "a"})
B = Pod("n", {"app": "b"}, {"grpc": 9090, "dns": 53}, {"dns": "UDP"})
C = Pod("n", {"app": "c"})
OTHER_A = Pod("other", {"app": "a"})


# isolation and the two ends of a connection


def test_without_policies_everything_is_reachable():
    assert can_reach([], A, B, 9090)
    assert can_reach([namespace("n")], OTHER_A, B, 1, "UDP")


def test_a_policy_selecting_the_destination_isolates_its_ingress():
    manifests = [deny_all("n", "Ingress")]
    assert not can_reach(manifests, OTHER_A, B, 9090)
    assert not can_reach(manifests, A, B, 9090)  # the same namespace too


def test_a_policy_selecting_other_pods_does_not_isolate():
    manifests = [policy("n", {"podSelector": app("c"), "policyTypes": ["Ingress", "Egress"]})]
    assert can_reach(manifests, A, B, 9090)
    assert not can_reach(manifests, A, C, 9090)
    assert not can_reach(manifests, C, A, 9090)  # c's egress is isolated


def test_a_policy_of_another_namespace_does_not_isolate():
    assert can_reach([deny_all("other")], A, B, 9090)
    assert not can_reach([deny_all("other")], OTHER_A, B, 9090)  # the source's egress is


def test_unset_policy_types_mean_ingress_only_without_egress_rules():
    manifests = [policy("n", {"podSelector": {}, "ingress": [{"from": [{"podSelector": app("a")}]}]})]
    assert can_reach(manifests, A, B, 9090)
    assert not can_reach(manifests, C, B, 9090)
    assert can_reach(manifests, B, OTHER_A, 9090)  # egress is not isolated


def test_unset_policy_types_include_egress_when_there_are_egress_rules():
    manifests = [policy("n", {"podSelector": app("a"), "egress": [{"to": [{"podSelector": app("b")}]}]})]
    assert can_reach(manifests, A, B, 9090)
    assert not can_reach(manifests, A, C, 9090)  # egress isolated
    assert not can_reach(manifests, C, A, 9090)  # ingress isolated too (Ingress is always implied)


def test_an_empty_egress_list_does_not_imply_egress():
    manifests = [policy("n", {"podSelector": app("a"), "egress": []})]
    assert can_reach(manifests, A, C, 9090)
    assert not can_reach(manifests, C, A, 9090)


def test_egress_only_policy_types_leave_ingress_open():
    manifests = [deny_all("n", "Egress")]
    assert can_reach(manifests, OTHER_A, B, 9090)
    assert not can_reach(manifests, A, OTHER_A, 9090)


def test_both_ends_must_allow_the_connection():
    egress_open = policy("n", {"podSelector": app("a"), "policyTypes": ["Egress"], "egress": [{}]}, "a-out")
    ingress_open = policy("n", {"podSelector": app("b"), "policyTypes": ["Ingress"], "ingress": [{}]}, "b-in")
    deny = deny_all("n")
    assert not can_reach([deny, egress_open], A, B, 9090)  # b's ingress denies
    assert not can_reach([deny, ingress_open], A, B, 9090)  # a's egress denies
    assert can_reach([deny, egress_open, ingress_open], A, B, 9090)


def test_policies_selecting_a_pod_add_up():
    first = policy("n", {"podSelector": app("b"), "ingress": [{"from": [{"podSelector": app("a")}]}]}, "one")
    second = policy("n", {"podSelector": {}, "ingress": [{"from": [{"podSelector": app("c")}]}]}, "two")
    model = NetworkModel([first, second])
    assert model.can_reach(A, B, 9090) and model.can_reach(C, B, 9090)
    assert not model.can_reach(A, C, 9090)  # only `two` selects c
    assert model.isolated(B, "Ingress") and not model.isolated(B, "Egress")


# peers


def ingress_from(*peers, ports=None):
    rule = {"from": list(peers)}
    if ports is not None:
        rule["ports"] = ports
    return [policy("n", {"podSelector": app("b"), "policyTypes": ["Ingress"], "ingress": [rule]})]


def test_a_pod_selector_alone_selects_pods_of_the_policys_namespace():
    manifests = ingress_from({"podSelector": app("a")})
    assert can_reach(manifests, A, B, 9090)
    assert not can_reach(manifests, OTHER_A, B, 9090)
    assert not can_reach(manifests, C, B, 9090)


def test_an_empty_pod_selector_alone_selects_every_pod_of_the_policys_namespace_only():
    manifests = ingress_from({"podSelector": {}})
    assert can_reach(manifests, C, B, 9090)
    assert not can_reach(manifests, OTHER_A, B, 9090)


def test_a_namespace_selector_alone_selects_every_pod_of_the_selected_namespaces():
    manifests = [namespace("other", team="x"), namespace("third")] + ingress_from(
        {"namespaceSelector": {"matchLabels": {"team": "x"}}}
    )
    assert can_reach(manifests, OTHER_A, B, 9090)
    assert can_reach(manifests, Pod("other", {}), B, 9090)
    assert not can_reach(manifests, Pod("third", {"app": "a"}), B, 9090)
    assert not can_reach(manifests, A, B, 9090)  # its own namespace is not labelled team=x


def test_an_empty_namespace_selector_selects_every_namespace():
    manifests = ingress_from({"namespaceSelector": {}})
    assert can_reach(manifests, Pod("anywhere", {}), B, 9090)
    assert can_reach(manifests, A, B, 9090)


def test_namespace_and_pod_selector_in_one_peer_must_both_match():
    manifests = [namespace("other", team="x"), namespace("third")] + ingress_from(
        {"namespaceSelector": {"matchLabels": {"team": "x"}}, "podSelector": app("a")}
    )
    assert can_reach(manifests, OTHER_A, B, 9090)
    assert not can_reach(manifests, Pod("other", {"app": "c"}), B, 9090)  # namespace matches, pod does not
    assert not can_reach(manifests, Pod("third", {"app": "a"}), B, 9090)  # pod matches, namespace does not
    assert not can_reach(manifests, A, B, 9090)


def test_separate_peers_are_alternatives():
    manifests = [namespace("other", team="x")] + ingress_from(
        {"namespaceSelector": {"matchLabels": {"team": "x"}}}, {"podSelector": app("c")}
    )
    assert can_reach(manifests, Pod("other", {"app": "z"}), B, 9090)
    assert can_reach(manifests, C, B, 9090)
    assert not can_reach(manifests, A, B, 9090)


def test_every_namespace_carries_its_name_label():
    by_name = {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: "other"}}}
    assert can_reach(ingress_from(by_name), OTHER_A, B, 9090)  # no Namespace object needed
    assert not can_reach(ingress_from(by_name), Pod("else", {}), B, 9090)
    # the API server owns the label: a Namespace cannot claim another's name
    forged = [namespace("else", **{NAMESPACE_NAME_LABEL: "other"})] + ingress_from(by_name)
    assert not can_reach(forged, Pod("else", {}), B, 9090)


def test_namespace_labels_come_from_the_namespace_objects():
    labels = namespace_labels([namespace("t", **{TENANT_LABEL: "acme"}), {"kind": "ConfigMap", "metadata": {}}])
    assert labels == {"t": {TENANT_LABEL: "acme", NAMESPACE_NAME_LABEL: "t"}}


@pytest.mark.parametrize("rule", [{}, {"from": []}, {"ports": [{"port": 9090}]}])
def test_a_rule_without_from_admits_every_source(rule):
    manifests = [policy("n", {"podSelector": app("b"), "policyTypes": ["Ingress"], "ingress": [rule]})]
    assert can_reach(manifests, Pod("anywhere", {}), B, 9090)


def test_a_null_rule_reads_as_an_empty_one():
    manifests = [policy("n", {"podSelector": app("b"), "policyTypes": ["Ingress"], "ingress": [None]})]
    assert can_reach(manifests, Pod("anywhere", {}), B, 9090)


@pytest.mark.parametrize("rule", [{}, {"to": []}])
def test_a_rule_without_to_admits_every_destination(rule):
    manifests = [policy("n", {"podSelector": app("a"), "policyTypes": ["Egress"], "egress": [rule]})]
    assert can_reach(manifests, A, Pod("anywhere", {}), 443)


def test_egress_peers_select_destinations():
    manifests = [namespace("other", team="x")] + [
        policy(
            "n",
            {
                "podSelector": app("a"),
                "policyTypes": ["Egress"],
                "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"team": "x"}}, "podSelector": app("a")}]}],
            },
        )
    ]
    assert can_reach(manifests, A, OTHER_A, 9090)
    assert not can_reach(manifests, A, Pod("other", {"app": "b"}), 9090)
    assert not can_reach(manifests, A, B, 9090)


@pytest.mark.parametrize("direction", ["ingress", "egress"])
def test_an_ip_block_may_cover_any_pod(direction):
    block = {"ipBlock": {"cidr": "203.0.113.0/24", "except": ["203.0.113.0/25"]}}
    spec = {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
        direction: [{"to" if direction == "egress" else "from": [block]}],
    }
    manifests = [policy("n", spec)]
    if direction == "ingress":
        assert can_reach(manifests, OTHER_A, B, 9090)
    else:
        assert can_reach(manifests, A, OTHER_A, 9090)


def test_a_peer_without_selectors_or_ip_block_selects_nothing():
    assert not can_reach(ingress_from({}), A, B, 9090)


@pytest.mark.parametrize(
    "expression, admitted, refused",
    [
        ({"key": "tier", "operator": "In", "values": ["web", "api"]}, {"tier": "api"}, {"tier": "db"}),
        ({"key": "tier", "operator": "In", "values": ["web"]}, {"tier": "web"}, {}),
        ({"key": "tier", "operator": "NotIn", "values": ["db"]}, {}, {"tier": "db"}),  # absent key: not in
        ({"key": "tier", "operator": "NotIn", "values": ["db"]}, {"tier": "web"}, {"tier": "db", "x": "y"}),
        ({"key": "tier", "operator": "Exists"}, {"tier": ""}, {"other": "tier"}),
        ({"key": "tier", "operator": "DoesNotExist"}, {"other": "tier"}, {"tier": "web"}),
    ],
)
def test_match_expressions(expression, admitted, refused):
    pods = ingress_from({"podSelector": {"matchExpressions": [expression]}})
    assert can_reach(pods, Pod("n", admitted), B, 9090)
    assert not can_reach(pods, Pod("n", refused), B, 9090)
    namespaces = [namespace("yes", **admitted), namespace("no", **refused)] + ingress_from(
        {"namespaceSelector": {"matchExpressions": [expression]}}
    )
    assert can_reach(namespaces, Pod("yes", {}), B, 9090)
    assert not can_reach(namespaces, Pod("no", {}), B, 9090)


def test_match_labels_and_match_expressions_are_anded():
    selector = {"matchLabels": {"app": "a"}, "matchExpressions": [{"key": "tier", "operator": "Exists"}]}
    manifests = ingress_from({"podSelector": selector})
    assert can_reach(manifests, Pod("n", {"app": "a", "tier": "x"}), B, 9090)
    assert not can_reach(manifests, Pod("n", {"app": "a"}), B, 9090)
    assert not can_reach(manifests, Pod("n", {"tier": "x"}), B, 9090)


# ports


@pytest.mark.parametrize(
    "ports, port, protocol, allowed",
    [
        (None, 1234, "UDP", True),  # no ports: every port of every protocol
        ([], 1234, "SCTP", True),
        ([{"port": 9090}], 9090, "TCP", True),
        ([{"port": 9090}], 9091, "TCP", False),
        ([{"port": 9090}], 9090, "UDP", False),  # protocol defaults to TCP
        ([{"port": 53, "protocol": "UDP"}], 53, "UDP", True),
        ([{"port": 53, "protocol": "UDP"}], 53, "TCP", False),
        ([{"protocol": "UDP"}], 5353, "UDP", True),  # no port: every port of the protocol
        ([{"protocol": "UDP"}], 5353, "TCP", False),
        ([{}], 1, "TCP", True),
        ([{"port": 32000, "endPort": 32768}], 32000, "TCP", True),
        ([{"port": 32000, "endPort": 32768}], 32768, "TCP", True),
        ([{"port": 32000, "endPort": 32768}], 32769, "TCP", False),
        ([{"port": 32000, "endPort": 32768}], 31999, "TCP", False),
        ([{"port": 8080.0}], 8080, "TCP", True),  # Pulumi's numbers are floats
        ([{"port": 80}, {"port": 9090}], 9090, "TCP", True),  # entries are alternatives
        ([{"port": "grpc"}], 9090, "TCP", True),  # named: the destination's container port
        ([{"port": "grpc"}], 8080, "TCP", False),
        ([{"port": "http"}], 8080, "TCP", False),  # the destination has no port named http
        ([{"port": "dns", "protocol": "UDP"}], 53, "UDP", True),
        ([{"port": "dns"}], 53, "TCP", False),  # the entry says TCP, the container port is UDP
    ],
)
def test_ports(ports, port, protocol, allowed):
    assert can_reach(ingress_from({"podSelector": {}}, ports=ports), A, B, port, protocol) is allowed


def test_a_named_egress_port_resolves_against_the_destination():
    spec = {"podSelector": app("a"), "policyTypes": ["Egress"], "egress": [{"ports": [{"port": "grpc"}]}]}
    model = NetworkModel([policy("n", spec)])
    assert model.can_reach(A, B, 9090)
    assert not model.can_reach(A, C, 9090)  # c has no port named grpc


# pods out of manifests


def workload(kind, labels, ports=(), namespace_name="n"):
    pod_spec = {"containers": [{"name": "c", "image": "i", "ports": list(ports)}]}
    template = {"metadata": {"labels": labels}, "spec": pod_spec}
    body = {
        "Pod": {"metadata": {"name": "w", "namespace": namespace_name, "labels": labels}, "spec": pod_spec},
        "CronJob": {"spec": {"jobTemplate": {"spec": {"template": template}}}},
    }.get(kind, {"spec": {"template": template}})
    return {"apiVersion": "v1", "kind": kind, "metadata": {"name": "w", "namespace": namespace_name}, **body}


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"])
def test_pods_come_from_every_workload_kind(kind):
    (pod,) = pods_of([workload(kind, {"app": "a"}, [{"name": "grpc", "containerPort": 9090}])])
    assert pod == Pod("n", {"app": "a"}, {"grpc": 9090}, {"grpc": "TCP"}, f"{kind} n/w")


def test_pods_of_skips_what_runs_no_pods_and_reads_port_protocols():
    manifests = [
        workload("PodTemplate", {"app": "t"}),
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}},
        workload(
            "Deployment", {"app": "d"}, [{"name": "dns", "containerPort": 53, "protocol": "UDP"}, {"containerPort": 80}]
        ),
    ]
    (pod,) = pods_of(manifests)
    assert (pod.labels, pod.ports, pod.protocols) == ({"app": "d"}, {"dns": 53}, {"dns": "UDP"})


def test_a_model_is_built_once_and_answers_many_questions():
    model = NetworkModel([deny_all("n", "Ingress")] + ingress_from({"podSelector": app("a")}))
    assert can_reach(model, A, B, 9090)
    assert not can_reach(model, C, B, 9090)
    assert model.labels_of("n") == {NAMESPACE_NAME_LABEL: "n"}


def test_pulumi_shaped_manifests_give_the_same_answers():
    from pulumi_policy.proxy import unknown_checking_proxy

    manifests = [namespace("other", team="x")] + ingress_from(
        {"namespaceSelector": {"matchLabels": {"team": "x"}}, "podSelector": app("a")}, ports=[{"port": 9090}]
    )
    proxied = [unknown_checking_proxy(json.loads(json.dumps(m), parse_int=float)) for m in manifests]
    for source in (OTHER_A, A, Pod("other", {"app": "c"})):
        assert can_reach(proxied, source, B, 9090) == can_reach(manifests, source, B, 9090)


# the repository's own prod stage


@pytest.fixture(scope="module")
def prod(environments):
    manifests = list(render_stage(environments["prod"]).manifests)
    ingress_controller = namespace("ingress-nginx", **{"network-policy": "allow-agentflow"})
    controller = workload("Deployment", {"app": "ingress-nginx"}, namespace_name="ingress-nginx")
    manifests += [ingress_controller, controller]
    pods = {(p.namespace, p.workload.rpartition("/")[2]): p for p in pods_of(manifests)}
    return NetworkModel(manifests), pods


def test_prod_lets_agent_service_call_task_service(prod):
    model, pods = prod
    agent, task = pods["agent-platform-prod", "agent-service"], pods["agent-platform-prod", "task-service"]
    assert model.can_reach(agent, task, 9090)
    assert not model.can_reach(agent, task, 9091)
    assert not model.can_reach(agent, task, 9090, "UDP")


def test_prod_keeps_the_training_namespace_away_from_agent_services_grpc(prod):
    model, pods = prod
    agent = pods["agent-platform-prod", "agent-service"]
    training = [p for (ns, _), p in pods.items() if ns == "model-training-prod"]
    assert training
    assert not any(model.can_reach(pod, agent, 9090) for pod in training)
    assert not model.can_reach(Pod("model-training-prod", {}), agent, 9090)


def test_prod_admits_the_ingress_controller_on_http_only(prod):
    model, pods = prod
    controller, agent = pods["ingress-nginx", "w"], pods["agent-platform-prod", "agent-service"]
    assert model.can_reach(controller, agent, 8080)
    assert not model.can_reach(controller, agent, 9090)
    assert not model.can_reach(Pod("elsewhere", {}), agent, 8080)  # an unlabelled namespace is refused


def test_prod_tenants_cannot_reach_each_other(prod):
    model, pods = prod
    tenant_namespaces = sorted({ns for ns, _ in pods if ns.startswith("tenant-")})
    if len(tenant_namespaces) < 2:
        pytest.skip("prod has fewer than two tenants")
    first, second = tenant_namespaces[:2]
    sources = [p for (ns, _), p in pods.items() if ns == first]
    targets = [p for (ns, _), p in pods.items() if ns == second]
    assert sources and targets
    assert not any(model.can_reach(s, t, port) for s in sources for t in targets for port in (8080, 9090))
    agent = pods[first, "agent-service"]
    assert model.can_reach(pods["ingress-nginx", "w"], agent, 8080)
