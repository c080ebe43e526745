"""What a change weakens: fewer replicas or a lower HPA minimum or PDB, relaxed security,
wider NetworkPolicies, a raised quota, an image moved off its digest."""

from __future__ import annotations

import json
from typing import Any

from kube.images import InvalidImage, parse_image
from kube.quantity import InvalidQuantity, parse_quantity
from pipeline.diff.model import Flag, Risk
from pipeline.diff.paths import format_path, lookup

# securityContext (pod or container) fields and when a new value is weaker than the old one.
_WEAKER = {
    "runAsNonRoot": lambda old, new: old is True and new is not True,
    "allowPrivilegeEscalation": lambda old, new: old is False and new is not False,
    "readOnlyRootFilesystem": lambda old, new: old is True and new is not True,
    "privileged": lambda old, new: new is True and old is not True,
    "runAsUser": lambda old, new: new == 0 and old != 0,
    "hostNetwork": lambda old, new: new is True and old is not True,
    "hostPID": lambda old, new: new is True and old is not True,
    "hostIPC": lambda old, new: new is True and old is not True,
    "automountServiceAccountToken": lambda old, new: old is False and new is not False,
}
_SECCOMP_SAFE = ("RuntimeDefault", "Localhost")


def flags(
    kind: str, changed: list[tuple[list[Any], Any, Any]], old: dict[str, Any] | None, new: dict[str, Any] | None
) -> list[Flag]:
    """Every weakening shown by a change (old None: created; new None: deleted)."""
    found: list[Flag] = []
    for parts, before, after in changed:
        found += _field_flags(kind, parts, before, after, old or {}, new or {})
    if kind == "NetworkPolicy":
        found += _network_flags(old, new)
    if kind == "PodDisruptionBudget" and old is not None and new is None:
        found.append(Flag(Risk.PDB_LOWERED, "", "the PodDisruptionBudget is deleted"))
    return list({(flag.risk, flag.path): flag for flag in found}.values())


def _field_flags(
    kind: str, parts: list[Any], before: Any, after: Any, old: dict[str, Any], new: dict[str, Any]
) -> list[Flag]:
    path, last = format_path(parts), parts[-1] if parts else ""
    if kind in ("Deployment", "StatefulSet", "ReplicaSet") and parts == ["spec", "replicas"] and _lower(before, after):
        return [Flag(Risk.REPLICAS_LOWERED, path, f"{before} -> {after}")]
    if kind == "HorizontalPodAutoscaler" and parts == ["spec", "minReplicas"] and _lower(before, after):
        return [Flag(Risk.HPA_MINIMUM_LOWERED, path, f"{before} -> {after}")]
    if kind == "PodDisruptionBudget" and parts == ["spec", "minAvailable"] and _lower(before, after):
        return [Flag(Risk.PDB_LOWERED, path, f"minAvailable {before} -> {after}")]
    if kind == "PodDisruptionBudget" and parts == ["spec", "maxUnavailable"] and _lower(after, before):
        return [Flag(Risk.PDB_LOWERED, path, f"maxUnavailable {before} -> {after}")]
    if kind == "ResourceQuota" and parts[:2] == ["spec", "hard"] and len(parts) == 3 and _raised(before, after):
        return [Flag(Risk.QUOTA_RAISED, path, f"{_shown(lookup(old, parts))} -> {_shown(lookup(new, parts))}")]
    if last in _WEAKER and ("securityContext" in parts or last.startswith("host") or last.startswith("automount")):
        if _WEAKER[last](before, after):
            return [Flag(Risk.SECURITY_RELAXED, path, f"{_shown(before)} -> {_shown(after)}")]
    if parts[-2:] == ["seccompProfile", "type"] or (last == "seccompProfile" and isinstance(before, dict)):
        old_type = before.get("type") if isinstance(before, dict) else before
        new_type = after.get("type") if isinstance(after, dict) else after
        if old_type in _SECCOMP_SAFE and new_type not in _SECCOMP_SAFE:
            return [Flag(Risk.SECURITY_RELAXED, path, f"seccomp {old_type} -> {_shown(new_type)}")]
    if "capabilities" in parts and len(parts) > parts.index("capabilities") + 1:
        # Whole lists from the manifests: deepdiff compares them item by item, and order means nothing here.
        field = parts[parts.index("capabilities") + 1]
        list_path = parts[: parts.index("capabilities") + 2]
        was, now = _as_list(lookup(old, list_path)), _as_list(lookup(new, list_path))
        if field == "drop" and "ALL" in was and "ALL" not in now:
            return [Flag(Risk.SECURITY_RELAXED, format_path(list_path), "capabilities no longer drop ALL")]
        added = sorted(set(map(str, now)) - set(map(str, was)))
        if field == "add" and added:
            return [Flag(Risk.SECURITY_RELAXED, format_path(list_path), f"adds capabilities {', '.join(added)}")]
    gains_host_path = (last == "hostPath" and before is None and after is not None) or (
        isinstance(after, dict) and "hostPath" in after and not (isinstance(before, dict) and "hostPath" in before)
    )
    if "volumes" in parts and gains_host_path:
        return [Flag(Risk.SECURITY_RELAXED, path, "mounts a hostPath volume")]
    if last == "image" and _pinned(before) and not _pinned(after):
        return [Flag(Risk.IMAGE_UNPINNED, path, f"{before} -> {after}")]
    return []


def _lower(before: Any, after: Any) -> bool:
    """Whether after is less than before (counts or percentages; a removed value counts as lower)."""
    old, new = _count(before), _count(after)
    return old is not None and (new is None or new < old)


def _count(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        return float(value[:-1]) / 100  # a share: comparable with another share only, as in practice
    return None


def _raised(before: Any, after: Any) -> bool:
    if after is None:  # a removed hard limit: no limit at all
        return before is not None
    try:
        return before is not None and parse_quantity(str(after).removeprefix("quantity:")) > parse_quantity(
            str(before).removeprefix("quantity:")
        )
    except (InvalidQuantity, ArithmeticError, ValueError):
        return False


def _pinned(image: Any) -> bool:
    try:
        return isinstance(image, str) and parse_image(image).pinned
    except InvalidImage:
        return False


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, dict):  # a normalized list: its items
        return list(value.values())
    return value if isinstance(value, list) else ([] if value is None else [value])


def _shown(value: Any) -> str:
    if isinstance(value, str) and value.startswith("quantity:"):
        return value.removeprefix("quantity:")
    return "not set" if value is None else json.dumps(value) if not isinstance(value, str) else value


def _allowances(policy: dict[str, Any] | None, direction: str) -> set[str] | None:
    """What a policy lets through in one direction, as (peer, port) pairs; None if it does not govern it."""
    if policy is None:
        return None
    spec = policy.get("spec") or {}
    key = direction.lower()
    types = spec.get("policyTypes") or (["Ingress"] + (["Egress"] if spec.get("egress") else []))
    if direction not in types:
        return None
    pairs = set()
    for rule in spec.get(key) or []:
        peers = rule.get("from" if key == "ingress" else "to") or [None]
        ports = rule.get("ports") or [None]
        for peer in peers:
            for port in ports:
                pairs.add(json.dumps([peer, port], sort_keys=True))
    return pairs


def _network_flags(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Flag]:
    found = []
    for direction, risk in (("Ingress", Risk.INGRESS_WIDENED), ("Egress", Risk.EGRESS_WIDENED)):
        before, after = _allowances(old, direction), _allowances(new, direction)
        # Dropping a direction widens it; deleting a whole policy widens only a pure deny
        # (deleting an allow-policy takes allowances away).
        if before is not None and after is None and (new is not None or not before):
            found.append(Flag(risk, "spec.policyTypes", f"no longer restricts {direction.lower()}"))
        elif after is not None and after - (before or set()):
            if before is None and old is not None:
                continue  # the policy starts restricting this direction: narrower, not wider
            count = len(after - (before or set()))
            found.append(
                Flag(
                    risk, f"spec.{direction.lower()}", f"{count} new allowed peer/port pair{'s' if count != 1 else ''}"
                )
            )
    return found
