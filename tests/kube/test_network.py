"""kube/network.py: NetworkPolicy semantics as the API server applies them."""

from __future__ import annotations

import pytest

from kube.network import WORKLOAD_KINDS, allows_port, indexed, is_empty_selector, is_world, policy_types, selects


def policy(spec, namespace="n"):
    return {"kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": namespace}, "spec": spec}


def test_workload_kinds_are_the_kinds_whose_pods_run():
    assert "PodTemplate" not in WORKLOAD_KINDS
    assert {"Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"} <= set(WORKLOAD_KINDS)


@pytest.mark.parametrize(
    "spec, types",
    [
        ({"policyTypes": ["Egress"]}, ("Egress",)),
        ({}, ("Ingress",)),
        ({"egress": []}, ("Ingress",)),  # SetDefaults_NetworkPolicy: only egress *rules* imply Egress
        ({"egress": [{}]}, ("Ingress", "Egress")),
        ({"policyTypes": [], "egress": [{}]}, ("Ingress", "Egress")),
    ],
)
def test_policy_types_default_as_the_api_server_sets_them(spec, types):
    assert policy_types(spec) == types


@pytest.mark.parametrize(
    "selector, empty",
    [
        (None, True),
        ({}, True),
        ({"matchLabels": {}, "matchExpressions": []}, True),
        ({"matchLabels": {"app": "a"}}, False),
        ({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, False),
        ("junk", False),
    ],
)
def test_empty_selectors_select_everything(selector, empty):
    assert is_empty_selector(selector) is empty


def test_a_policy_selects_pods_of_its_own_namespace_only():
    assert selects(policy({"podSelector": {}}), "n", {"app": "a"})
    assert selects(policy({}), "n", {})  # podSelector absent reads as {}
    assert not selects(policy({"podSelector": {}}), "other", {"app": "a"})
    assert selects(policy({"podSelector": {"matchLabels": {"app": "a"}}}), "n", {"app": "a", "x": "y"})
    assert not selects(policy({"podSelector": {"matchLabels": {"app": "a"}}}), "n", {"app": "b"})
    assert not selects(policy({"podSelector": "junk"}), "n", {"app": "a"})


@pytest.mark.parametrize(
    "rule, port, protocol, allowed",
    [
        ({}, 53, "UDP", True),  # no ports: every port
        ({"ports": []}, 53, "UDP", True),
        ({"ports": [{"port": 53}]}, 53, "TCP", True),  # protocol defaults to TCP
        ({"ports": [{"port": 53}]}, 53, "UDP", False),
        ({"ports": [{"protocol": "UDP"}]}, 53, "UDP", True),  # no port: every port of the protocol
        ({"ports": [{"port": 1, "endPort": 1024}]}, 53, "TCP", True),
        ({"ports": [{"port": 54, "endPort": 60}]}, 53, "TCP", False),
        ({"ports": [{"port": 53.0, "protocol": "UDP"}]}, 53, "UDP", True),  # Pulumi's floats
        ({"ports": [{"port": "53", "protocol": "UDP"}]}, 53, "UDP", True),
        ({"ports": [{"port": "dns", "protocol": "UDP"}]}, 53, "UDP", False),  # named: unresolvable here
        ({"ports": ["junk"]}, 53, "UDP", False),
    ],
)
def test_allows_port(rule, port, protocol, allowed):
    assert allows_port(rule, port, protocol) is allowed


@pytest.mark.parametrize(
    "cidr, world",
    [
        ("0.0.0.0/0", True),
        ("::/0", True),
        ("10.0.0.0/0", True),
        (" 0.0.0.0/0 ", True),
        ("10.0.0.0/8", False),
        ("2001:db8::/32", False),
        ("junk", False),
        (None, False),
    ],
)
def test_is_world(cidr, world):
    assert is_world(cidr) is world


def test_indexed_keeps_manifest_positions_and_skips_junk():
    assert list(indexed(["x", {"a": 1}, None, {"b": 2}])) == [(1, {"a": 1}), (3, {"b": 2})]
    assert list(indexed("text")) == [] and list(indexed(None)) == []
