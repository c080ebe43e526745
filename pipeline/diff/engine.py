"""diff_stage: two renders of a stage -> one ResourceChange per resource that differs.

Resources match by API group, kind, namespace and name (an apiVersion change within a group is
an update). A cluster-scoped object has no namespace whatever its manifest says (kube.identity;
a custom kind is cluster-scoped when a CRD on either side says `scope: Cluster`), and a
namespace written on one is no difference. Unchanged resources are recognised by one strict
equality check (identical) and never walked field by field, and changed ones are walked only
where they differ (pipeline.diff.walk), so the cost follows what changed, not the size of the
fleet. Unless full, long values are summarised (pipeline.diff.long_values).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from kube.identity import ResourceId, cluster_scoped_kinds, resource_id
from pipeline.diff.classify import classify
from pipeline.diff.fields import field_change
from pipeline.diff.long_values import schema_changes, schema_paths, without
from pipeline.diff.model import FieldChange, ResourceChange, RolloutClass, StageDiff
from pipeline.diff.normalize import QUANTITY_MAPS, normalize
from pipeline.diff.paths import format_path, lookup
from pipeline.diff.risk import flags as risk_flags
from pipeline.diff.walk import Change, changed_fields, identical
from pipeline.tenant_filter import tenancy, tenant_of_resource

__all__ = ["diff_stage", "identical"]


def diff_stage(
    stage: str,
    old: Iterable[dict[str, Any]],
    new: Iterable[dict[str, Any]],
    tenants: Mapping[str, str] | None = None,
    full: bool = True,
) -> StageDiff:
    """What changes in a stage between two renders.

    tenants (namespace -> tenant) says whose each change is; by default it is read from the
    tenant-labelled Namespaces of both sides. Pass the whole stage's when diffing a part of it.
    full=False summarises long values (CRD schemas, dashboards) and shortens long one-line ones.
    """
    old, new = list(old), list(new)
    if tenants is None:
        tenants = tenancy(old, new)
    cluster_kinds = cluster_scoped_kinds(old) | cluster_scoped_kinds(new)
    before = {resource_id(m, cluster_kinds): m for m in old}
    after = {resource_id(m, cluster_kinds): m for m in new}
    changes: list[ResourceChange] = []
    unchanged = 0
    for rid in sorted(before.keys() | after.keys()):
        if rid not in before:
            change = _created(rid, after[rid])
        elif rid not in after:
            change = _deleted(rid, before[rid])
        elif identical(before[rid], after[rid]):
            change = None  # the common case at fleet scale: one comparison, no field walk
        else:
            change = _updated(rid, before[rid], after[rid], full)  # None: differs only in form (order, 1000m vs 1)
        if change is None:
            unchanged += 1
        else:
            changes.append(replace(change, tenant=tenant_of_resource(rid, tenants)))
    return StageDiff(stage, tuple(changes), unchanged)


def _created(rid: ResourceId, manifest: dict[str, Any]) -> ResourceChange:
    return ResourceChange(rid, RolloutClass.CREATE, flags=tuple(risk_flags(rid.kind, [], None, manifest)))


def _deleted(rid: ResourceId, manifest: dict[str, Any]) -> ResourceChange:
    return ResourceChange(rid, RolloutClass.DELETE, flags=tuple(risk_flags(rid.kind, [], manifest, None)))


def _updated(rid: ResourceId, old: dict[str, Any], new: dict[str, Any], full: bool) -> ResourceChange | None:
    old_form, new_form = normalize(_comparable(rid, old)), normalize(_comparable(rid, new))
    schemas: list[tuple[list[Any], FieldChange]] = []
    if not full:  # a CRD's schemas: one summarised field each, never walked
        schemas = schema_changes(rid.kind, old, new, old_form, new_form)
        taken = schema_paths(rid.kind, old_form) + schema_paths(rid.kind, new_form)
        old_form, new_form = without(old_form, taken), without(new_form, taken)
    changed = sorted(changed_fields(old_form, new_form), key=lambda item: format_path(item[0]))
    if not changed and not schemas:
        return None
    rollout, reasons = classify(rid.kind, [parts for parts, _, _ in changed] + [p for p, _ in schemas], old, new)
    fields = [
        field_change(rid.kind, parts, _raw(old, parts, b), _raw(new, parts, a), old, new, full, str(rid))
        for parts, b, a in changed
    ]
    fields = sorted(fields + [change for _, change in schemas], key=lambda f: f.path)
    flags = tuple(risk_flags(rid.kind, _leaves(changed), old, new))
    return ResourceChange(rid, rollout, tuple(fields), flags, reasons)


def _comparable(rid: ResourceId, manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest as the API server reads it: a cluster-scoped object's metadata.namespace is no part of it."""
    metadata = manifest.get("metadata")
    if rid.namespace or not isinstance(metadata, dict) or "namespace" not in metadata:
        return manifest
    return {**manifest, "metadata": {k: v for k, v in metadata.items() if k != "namespace"}}


_SPREAD = ("securityContext", "capabilities", "seccompProfile")


def _leaves(changed: list[Change]) -> list[Change]:
    """Changes with a whole securityContext (or capabilities block) added or removed spread into its fields."""
    out = []
    for parts, before, after in changed:
        if parts and parts[-1] in _SPREAD and (isinstance(before, dict) or isinstance(after, dict)):
            old, new = before if isinstance(before, dict) else {}, after if isinstance(after, dict) else {}
            inner = [([*parts, key], old.get(key), new.get(key)) for key in sorted(old.keys() | new.keys())]
            out += _leaves(inner)
        else:
            out.append((parts, before, after))
    return out


def _raw(manifest: dict[str, Any], parts: list[Any], normalized: Any) -> Any:
    """The value as the manifest writes it ("1000m"), when it is what deepdiff saw at this path.

    deepdiff's own values say what was added or removed (a list item inserted at 0 shifts every
    index: looking the path up would misread it); the manifest only supplies the original
    spelling of an equal value.
    """
    if normalized is None:
        return None
    raw = lookup(manifest, parts)
    key = parts[-1] if parts and isinstance(parts[-1], str) else ""
    parent = parts[-2] if len(parts) > 1 and isinstance(parts[-2], str) else ""
    if raw is not None and normalize(raw, key, parent in QUANTITY_MAPS) == normalized:
        return raw
    return _denormalized(normalized)


def _denormalized(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("quantity:"):
        return value.removeprefix("quantity:")
    if isinstance(value, dict):
        return {k: _denormalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_denormalized(v) for v in value]
    return value
