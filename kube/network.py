"""Reading NetworkPolicies: which pods a policy selects, which directions it restricts, what it opens.

The semantics are the API server's (networking.k8s.io/v1):
- `policyTypes` unset means Ingress, plus Egress when the policy has egress rules (a non-empty
  `egress` list; SetDefaults_NetworkPolicy), so an unset policyTypes never denies all egress;
- a podSelector that is `{}` (or absent) selects every pod of the policy's namespace;
- a rule without `ports` opens every port; a port entry without `port` opens every port of its
  protocol (TCP when unset); `endPort` widens a numeric port to a range;
- a named (string) port resolves against the destination pod's container ports, so it cannot be
  read off the policy alone: `allows_port` never counts it as a match.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from typing import Any

from kube.workloads import POD_SPEC_PATHS, is_list, items, mapping, namespace_of, number, selector_matches

# Kinds whose pods run (PodTemplate only describes pods, it runs none).
WORKLOAD_KINDS: tuple[str, ...] = tuple(kind for kind in POD_SPEC_PATHS if kind != "PodTemplate")
DEFAULT_PROTOCOL = "TCP"


def spec_of(policy: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(policy.get("spec"))


def is_empty_selector(selector: Any) -> bool:
    """A LabelSelector that selects everything: absent, {} or with empty matchLabels and matchExpressions."""
    if not isinstance(selector, Mapping):
        return selector is None
    return not selector.get("matchLabels") and not selector.get("matchExpressions")


def policy_types(spec: Mapping[str, Any]) -> tuple[str, ...]:
    """The directions a policy restricts, with the API server's default when policyTypes is unset."""
    declared = spec.get("policyTypes")
    if is_list(declared) and declared:
        return tuple(t for t in declared if isinstance(t, str))
    egress = spec.get("egress")
    return ("Ingress", "Egress") if is_list(egress) and len(egress) > 0 else ("Ingress",)


def policy_rules(spec: Mapping[str, Any], direction: str) -> list[Mapping[str, Any]]:
    """The ingress or egress rules of a policy spec (direction "ingress" | "egress"), mappings only."""
    return items(spec.get(direction))


def selects(policy: Mapping[str, Any], namespace: str, labels: Mapping[str, str]) -> bool:
    """Whether a NetworkPolicy applies to a pod with these labels in this namespace."""
    if namespace_of(policy) != namespace:
        return False
    selector = spec_of(policy).get("podSelector")
    if is_empty_selector(selector):
        return True
    return isinstance(selector, Mapping) and selector_matches(selector, labels)


def port_number(value: Any) -> int | None:
    """A numeric port (a float from Pulumi, or a string of digits); None for a named port or junk."""
    if isinstance(value, str):
        return int(value) if value.isdigit() else None
    found = number(value)
    return found if isinstance(found, int) else None


def allows_port(rule: Mapping[str, Any], port: int, protocol: str) -> bool:
    """Whether a rule opens port/protocol (a named port never counts: it cannot be resolved here)."""
    entries = rule.get("ports")
    if not entries:
        return True
    for entry in items(entries):
        if (entry.get("protocol") or DEFAULT_PROTOCOL) != protocol:
            continue
        if entry.get("port") is None:
            return True
        start = port_number(entry.get("port"))
        end = port_number(entry.get("endPort")) if entry.get("endPort") is not None else start
        if start is not None and end is not None and start <= port <= max(start, end):
            return True
    return False


def is_world(cidr: Any) -> bool:
    """Whether a CIDR is every address of its family (0.0.0.0/0, ::/0, or any /0)."""
    if not isinstance(cidr, str):
        return False
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def indexed(value: Any) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(index, item) for the mappings of a list, indices as in the manifest; nothing for a non-list."""
    for index, item in enumerate(value if is_list(value) else []):
        if isinstance(item, Mapping):
            yield index, item
