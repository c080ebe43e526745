"""Rollout class of a change: in place, rolling restart, or replacement (an immutable field changed)."""

from __future__ import annotations

from typing import Any

from kube.quantity import InvalidQuantity, parse_quantity
from pipeline.diff.model import RolloutClass
from pipeline.diff.paths import format_path

POD_TEMPLATE_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet"})
# kind -> path prefixes the API server refuses to change (a change means delete and create).
IMMUTABLE: dict[str, tuple[tuple[str, ...], ...]] = {
    "Deployment": (("spec", "selector"),),
    "ReplicaSet": (("spec", "selector"),),
    "DaemonSet": (("spec", "selector"),),
    "StatefulSet": (
        ("spec", "selector"),
        ("spec", "serviceName"),
        ("spec", "volumeClaimTemplates"),
        ("spec", "podManagementPolicy"),
    ),
    "Job": (("spec", "template"), ("spec", "selector"), ("spec", "completionMode")),
    "PersistentVolumeClaim": (
        ("spec", "storageClassName"),
        ("spec", "accessModes"),
        ("spec", "volumeName"),
        ("spec", "volumeMode"),
        ("spec", "selector"),
        ("spec", "dataSource"),
    ),
    "RoleBinding": (("roleRef",),),
    "ClusterRoleBinding": (("roleRef",),),
    "PriorityClass": (("value",), ("preemptionPolicy",)),
    "StorageClass": (("provisioner",), ("parameters",), ("reclaimPolicy",), ("volumeBindingMode",)),
    "Service": (("spec", "clusterIP"), ("spec", "clusterIPs")),
    # Once established (as soon as it is created), a CRD keeps its scope and kind.
    "CustomResourceDefinition": (("spec", "scope"), ("spec", "names", "kind")),
}


def classify(
    kind: str, changed: list[list[Any]], old: dict[str, Any], new: dict[str, Any]
) -> tuple[RolloutClass, tuple[str, ...]]:
    """The rollout class of an update and why, from the changed paths (normalized parts)."""
    reasons = [f"{format_path(parts)} is immutable" for parts in changed if _immutable(kind, parts)]
    reasons += _special(kind, old, new)
    if reasons:
        return RolloutClass.REPLACE, tuple(dict.fromkeys(reasons))
    if kind in POD_TEMPLATE_KINDS and any(parts[:2] == ["spec", "template"] for parts in changed):
        return RolloutClass.RESTART, ("the pod template changed",)
    return RolloutClass.UPDATE, ()


def _immutable(kind: str, parts: list[Any]) -> bool:
    return any(parts[: len(prefix)] == list(prefix) for prefix in IMMUTABLE.get(kind, ()))


def _special(kind: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Replacements no single path says: ExternalName switches, PVC shrinks, immutable data."""
    reasons = []
    if kind == "Service":
        before, after = (old.get("spec") or {}).get("type"), (new.get("spec") or {}).get("type")
        if before != after and "ExternalName" in (before, after):
            reasons.append(f"spec.type {before or 'ClusterIP'} -> {after or 'ClusterIP'} crosses ExternalName")
    if kind == "PersistentVolumeClaim":
        before, after = _storage(old), _storage(new)
        if before is not None and after is not None and after < before:
            reasons.append("spec.resources.requests.storage shrinks (a claim can only grow)")
    if kind in ("ConfigMap", "Secret") and old.get("immutable") is True:
        if any(old.get(key) != new.get(key) for key in ("data", "binaryData", "stringData")):
            reasons.append("the data of an immutable object changed")
        if new.get("immutable") is not True:
            reasons.append("immutable: true cannot be unset")
    return reasons


def _storage(manifest: dict[str, Any]):
    value = ((manifest.get("spec") or {}).get("resources") or {}).get("requests", {}).get("storage")
    try:
        return parse_quantity(value) if value is not None else None
    except (InvalidQuantity, ArithmeticError, ValueError):
        return None
