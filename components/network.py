"""NetworkPolicy building blocks: DNS egress, declared egress targets, whole policies."""

from __future__ import annotations

from typing import Any

from components.meta import Manifest, object_meta
from model.environment import Dns, EgressTarget

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"  # set by the API server on every namespace


def namespace_selector(namespace: str) -> dict[str, Any]:
    """Selects one namespace by its immutable name label."""
    return {"matchLabels": {NAMESPACE_NAME_LABEL: namespace}}


def dns_egress(dns: Dns) -> dict[str, Any]:
    """Egress to the cluster DNS on 53/UDP and 53/TCP: without it no name resolves."""
    return {
        "to": [
            {
                "namespaceSelector": namespace_selector(dns.namespace),
                "podSelector": {"matchLabels": dict(dns.pod_labels)},
            }
        ],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    }


def target_egress(target: EgressTarget) -> dict[str, Any]:
    """Egress to a declared target: its ports, to its IP blocks when it names any."""
    rule: dict[str, Any] = {"ports": [{"protocol": p.protocol, "port": p.port} for p in target.ports]}
    if target.cidrs:
        blocks = []
        for cidr in target.cidrs:
            block: dict[str, Any] = {"cidr": cidr}
            if target.except_:
                block["except"] = list(target.except_)
            blocks.append({"ipBlock": block})
        rule["to"] = blocks
    return rule


def network_policy(
    name: str,
    namespace: str,
    labels: dict[str, str],
    pod_selector: dict[str, str],
    ingress: list[dict[str, Any]] | None,
    egress: list[dict[str, Any]] | None,
) -> Manifest:
    """A policy over the directions given (None leaves a direction alone); in those, what is not listed is denied."""
    spec: dict[str, Any] = {
        "podSelector": {"matchLabels": dict(pod_selector)} if pod_selector else {},
        "policyTypes": [],
    }
    for direction, rules in (("Ingress", ingress), ("Egress", egress)):
        if rules is not None:
            spec["policyTypes"].append(direction)
            spec[direction.lower()] = rules
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": object_meta(name, namespace, labels),
        "spec": spec,
    }
