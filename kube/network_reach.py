"""Who may connect to whom: NetworkPolicy semantics (networking.k8s.io/v1) evaluated over plain manifests.

The semantics, as kubernetes.io states them (Concepts > Network Policies; API reference
NetworkPolicySpec, NetworkPolicyIngressRule/EgressRule, NetworkPolicyPeer, NetworkPolicyPort):
- a pod is isolated for ingress (egress) iff a NetworkPolicy of its namespace selects it (a
  podSelector `{}` or absent selects every pod there) and has Ingress (Egress) in its policyTypes;
  unset policyTypes default to Ingress, plus Egress when the spec has egress rules
  (`kube.network.policy_types`, as SetDefaults_NetworkPolicy does);
- a direction that is not isolated allows everything; an isolated one allows what at least one
  rule of at least one selecting policy allows (policies are additive, their order is irrelevant);
- a connection is allowed iff the source's egress allows it AND the destination's ingress does;
- a rule matches traffic that matches both its peers and its ports; `from`/`to` missing or empty
  matches every peer, `ports` missing or empty every port;
- a peer's podSelector alone selects pods of the policy's own namespace, a namespaceSelector alone
  every pod of the namespaces it selects, both in one peer the pods matching podSelector in those
  namespaces (AND); peers of one rule are ORed; `{}` selects everything;
- a port entry's protocol defaults to TCP; without `port` it matches every port of that protocol;
  `endPort` widens a numeric port to an inclusive range; a named port is the destination pod's
  container port of that name (and protocol), for ingress and egress rules alike;
- a namespace's labels are its Namespace object's plus `kubernetes.io/metadata.name: <name>`,
  which the API server sets (and keeps) on every namespace.

Offline limits. Pod IPs are unknown before pods run, so an ipBlock peer (with or without
`except`) is taken to possibly match any pod; an unknown matchExpressions operator is ignored.
Both err towards "reachable", so `can_reach(...) is False` proves isolation. Not modelled: a
pod's traffic to itself and traffic from its own node (always allowed by Kubernetes), host-network
pods (outside the pod network) and a peer with no selector and no ipBlock (the API server rejects
it; here it matches nothing). Pods are the pod templates of workloads, one `Pod` per template.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kube.network import DEFAULT_PROTOCOL, WORKLOAD_KINDS, is_empty_selector, policy_types, port_number, spec_of
from kube.workloads import containers, is_list, items, mapping, namespace_of, pod_template, selector_matches, title

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"  # set by the API server on every namespace
INGRESS, EGRESS = "Ingress", "Egress"


@dataclass(frozen=True)
class Pod:
    """The pods of one pod template: where they run, their labels, their named container ports."""

    namespace: str
    labels: Mapping[str, str]
    ports: Mapping[str, int] = field(default_factory=dict)  # container port name -> number
    protocols: Mapping[str, str] = field(default_factory=dict)  # container port name -> protocol (TCP if absent)
    workload: str = ""  # the manifest the pods come from, e.g. "Deployment ns/name"


@dataclass(frozen=True)
class _Policy:
    """A NetworkPolicy reduced to what decides traffic."""

    namespace: str
    pod_selector: Any
    types: frozenset[str]
    ingress: tuple[Mapping[str, Any], ...]
    egress: tuple[Mapping[str, Any], ...]

    def selects(self, pod: Pod) -> bool:
        if pod.namespace != self.namespace:
            return False
        return is_empty_selector(self.pod_selector) or selector_matches(self.pod_selector, pod.labels)


def namespace_labels(manifests: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """namespace -> its labels, for every Namespace object, the automatic name label included."""
    out: dict[str, dict[str, str]] = {}
    for manifest in manifests:
        if manifest.get("kind") != "Namespace":
            continue
        meta = mapping(manifest.get("metadata"))
        name = meta.get("name")
        if isinstance(name, str) and name:
            labels = {k: v for k, v in mapping(meta.get("labels")).items() if isinstance(v, str)}
            out[name] = {**labels, NAMESPACE_NAME_LABEL: name}
    return out


def pods_of(manifests: Iterable[Mapping[str, Any]]) -> list[Pod]:
    """One Pod per workload manifest (every kind that runs pods), with its named container ports."""
    pods = []
    for manifest in manifests:
        if manifest.get("kind") not in WORKLOAD_KINDS:
            continue
        template = pod_template(manifest)
        if template is None:
            continue
        ports: dict[str, int] = {}
        protocols: dict[str, str] = {}
        for container in containers(template):
            for entry in items(container.spec.get("ports")):
                name, number = entry.get("name"), port_number(entry.get("containerPort"))
                if isinstance(name, str) and name and number is not None:
                    ports[name] = number
                    protocols[name] = entry.get("protocol") or DEFAULT_PROTOCOL
        pods.append(Pod(namespace_of(manifest), dict(template.labels), ports, protocols, title(manifest)))
    return pods


class NetworkModel:
    """The NetworkPolicies and namespace labels of a set of manifests, indexed by namespace once.

    Namespaces without a Namespace object among the manifests carry only their name label.
    """

    def __init__(self, manifests: Iterable[Mapping[str, Any]]):
        manifests = list(manifests)
        self.namespaces = namespace_labels(manifests)
        self._policies: dict[str, list[_Policy]] = {}
        for manifest in manifests:
            if manifest.get("kind") != "NetworkPolicy":
                continue
            spec = spec_of(manifest)
            policy = _Policy(
                namespace_of(manifest),
                spec.get("podSelector"),
                frozenset(policy_types(spec)),
                _rules(spec.get("ingress")),
                _rules(spec.get("egress")),
            )
            self._policies.setdefault(policy.namespace, []).append(policy)

    def labels_of(self, namespace: str) -> Mapping[str, str]:
        """A namespace's labels: its object's, else only the name label the API server sets."""
        return self.namespaces.get(namespace) or {NAMESPACE_NAME_LABEL: namespace}

    def isolated(self, pod: Pod, direction: str) -> bool:
        """Whether some policy of the pod's namespace selects it for direction (Ingress | Egress)."""
        return any(True for _ in self._selecting(pod, direction))

    def can_reach(self, source: Pod, destination: Pod, port: int, protocol: str = DEFAULT_PROTOCOL) -> bool:
        """Whether source may open a connection to destination on port/protocol (both ends must allow it)."""
        return self.egress_allows(source, destination, port, protocol) and self.ingress_allows(
            source, destination, port, protocol
        )

    def egress_allows(self, source: Pod, destination: Pod, port: int, protocol: str = DEFAULT_PROTOCOL) -> bool:
        """Whether the source's egress policies let the connection out."""
        return self._allows(source, EGRESS, "to", destination, destination, port, protocol)

    def ingress_allows(self, source: Pod, destination: Pod, port: int, protocol: str = DEFAULT_PROTOCOL) -> bool:
        """Whether the destination's ingress policies let the connection in."""
        return self._allows(destination, INGRESS, "from", source, destination, port, protocol)

    def _selecting(self, pod: Pod, direction: str) -> Iterable[_Policy]:
        return (p for p in self._policies.get(pod.namespace, ()) if direction in p.types and p.selects(pod))

    def _allows(
        self, selected: Pod, direction: str, peers_key: str, peer: Pod, destination: Pod, port: int, protocol: str
    ) -> bool:
        isolated = False
        for policy in self._selecting(selected, direction):
            isolated = True
            for rule in policy.ingress if direction == INGRESS else policy.egress:
                if _ports_match(rule, port, protocol, destination) and self._peers_match(
                    rule.get(peers_key), policy.namespace, peer
                ):
                    return True
        return not isolated

    def _peers_match(self, peers: Any, policy_namespace: str, pod: Pod) -> bool:
        if not peers:  # missing or empty: every peer
            return True
        return any(self._peer_matches(peer, policy_namespace, pod) for peer in items(peers))

    def _peer_matches(self, peer: Mapping[str, Any], policy_namespace: str, pod: Pod) -> bool:
        if peer.get("ipBlock") is not None:
            return True  # pod IPs are unknown offline: the block may cover the pod
        namespaces, pods = peer.get("namespaceSelector"), peer.get("podSelector")
        if namespaces is None and pods is None:
            return False  # rejected by the API server: selects nothing
        if namespaces is None:
            if pod.namespace != policy_namespace:
                return False
        elif not selector_matches(namespaces, self.labels_of(pod.namespace)):
            return False
        return pods is None or selector_matches(pods, pod.labels)


def can_reach(
    policies_or_manifests: NetworkModel | Iterable[Mapping[str, Any]],
    source: Pod,
    destination: Pod,
    port: int,
    protocol: str = DEFAULT_PROTOCOL,
) -> bool:
    """Whether source may connect to destination on port/protocol under the manifests' NetworkPolicies.

    Pass a NetworkModel to evaluate many connections over the same manifests without re-indexing.
    """
    model = (
        policies_or_manifests
        if isinstance(policies_or_manifests, NetworkModel)
        else NetworkModel(policies_or_manifests)
    )
    return model.can_reach(source, destination, port, protocol)


def _rules(value: Any) -> tuple[Mapping[str, Any], ...]:
    """A policy's rules; a null item decodes as an empty rule (every peer, every port), as the API server reads it."""
    if not is_list(value):
        return ()
    return tuple({} if rule is None else rule for rule in value if rule is None or isinstance(rule, Mapping))


def _ports_match(rule: Mapping[str, Any], port: int, protocol: str, destination: Pod) -> bool:
    entries = rule.get("ports")
    if not entries:  # missing or empty: every port
        return True
    return any(_port_matches(entry, port, protocol, destination) for entry in items(entries))


def _port_matches(entry: Mapping[str, Any], port: int, protocol: str, destination: Pod) -> bool:
    if (entry.get("protocol") or DEFAULT_PROTOCOL) != protocol:
        return False
    value = entry.get("port")
    if value is None:
        return True
    if isinstance(value, str) and not value.isdigit():  # a named port: the destination's container port
        return destination.ports.get(value) == port and destination.protocols.get(value, DEFAULT_PROTOCOL) == protocol
    start = port_number(value)
    if start is None:
        return False
    end = port_number(entry.get("endPort")) if entry.get("endPort") is not None else None
    return start <= port <= max(start, end if end is not None else start)
