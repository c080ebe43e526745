"""diff_stage: two renders of a stage -> one ResourceChange per resource that differs.

Resources match by API group, kind, namespace and name (an apiVersion change within a group is
an update). Unchanged resources are recognised by one strict equality check (identical) and
never walked field by field, so the cost follows what changed, not the size of the fleet.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from deepdiff import DeepDiff

from kube.checksum import CONFIG_CHECKSUM_ANNOTATION
from kube.identity import ResourceId, resource_id
from kube.images import InvalidImage, parse_image
from pipeline.diff.classify import classify
from pipeline.diff.model import FieldChange, ResourceChange, RolloutClass, StageDiff
from pipeline.diff.normalize import QUANTITY_MAPS, normalize
from pipeline.diff.paths import format_path, item_key, lookup
from pipeline.diff.redact import REDACTED, redact, redact_texts, secret_field, sensitive
from pipeline.diff.risk import flags as risk_flags
from pipeline.tenant_filter import tenancy, tenant_of_resource

_KINDS_OF_CHANGE = (
    "values_changed",
    "type_changes",
    "dictionary_item_added",
    "dictionary_item_removed",
    "iterable_item_added",
    "iterable_item_removed",
)


def identical(old: Any, new: Any) -> bool:
    """Whether two manifests (or parts) are the same JSON: equal, and of the same types throughout.

    Python's == runs in C and ignores key order, but takes True for 1 and 1 for 1.0; the walk
    that tells those apart runs only on equal manifests and skips shared sub-objects. On a
    fleet's render this is several times cheaper than hashing canonical JSON on both sides.
    """
    return old == new and _same_types(old, new)


def _same_types(old: Any, new: Any) -> bool:
    kind = type(old)
    if kind is not type(new):
        return False
    if kind is dict:
        return all(value is new[key] or _same_types(value, new[key]) for key, value in old.items())
    if kind is list:
        return all(a is b or _same_types(a, b) for a, b in zip(old, new, strict=True))
    return True


def diff_stage(
    stage: str,
    old: Iterable[dict[str, Any]],
    new: Iterable[dict[str, Any]],
    tenants: Mapping[str, str] | None = None,
) -> StageDiff:
    """What changes in a stage between two renders.

    tenants (namespace -> tenant) says whose each change is; by default it is read from the
    tenant-labelled Namespaces of both sides. Pass the whole stage's when diffing a part of it.
    """
    old, new = list(old), list(new)
    if tenants is None:
        tenants = tenancy(old, new)
    before = {resource_id(m): m for m in old}
    after = {resource_id(m): m for m in new}
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
            change = _updated(rid, before[rid], after[rid])  # None: differs only in form (order, 1000m vs 1)
        if change is None:
            unchanged += 1
        else:
            changes.append(replace(change, tenant=tenant_of_resource(rid, tenants)))
    return StageDiff(stage, tuple(changes), unchanged)


def _created(rid: ResourceId, manifest: dict[str, Any]) -> ResourceChange:
    return ResourceChange(rid, RolloutClass.CREATE, flags=tuple(risk_flags(rid.kind, [], None, manifest)))


def _deleted(rid: ResourceId, manifest: dict[str, Any]) -> ResourceChange:
    return ResourceChange(rid, RolloutClass.DELETE, flags=tuple(risk_flags(rid.kind, [], manifest, None)))


def _updated(rid: ResourceId, old: dict[str, Any], new: dict[str, Any]) -> ResourceChange | None:
    diff = DeepDiff(normalize(old), normalize(new), view="tree", verbose_level=2, threshold_to_diff_deeper=0)
    levels = [level for kind in _KINDS_OF_CHANGE for level in diff.get(kind, [])]
    if not levels:
        return None
    changed: list[tuple[list[Any], Any, Any]] = []
    for level in levels:
        parts = level.path(output_format="list")
        before = None if _absent(level.t1) else level.t1
        after = None if _absent(level.t2) else level.t2
        changed.append((parts, before, after))
    changed.sort(key=lambda item: format_path(item[0]))
    rollout, reasons = classify(rid.kind, [parts for parts, _, _ in changed], old, new)
    field_changes = tuple(
        _field_change(rid.kind, parts, _raw(old, parts, b), _raw(new, parts, a), old, new) for parts, b, a in changed
    )
    return ResourceChange(rid, rollout, field_changes, tuple(risk_flags(rid.kind, _leaves(changed), old, new)), reasons)


def _absent(value: Any) -> bool:
    return type(value).__name__ == "NotPresent"


_SPREAD = ("securityContext", "capabilities", "seccompProfile")


def _leaves(changed: list[tuple[list[Any], Any, Any]]) -> list[tuple[list[Any], Any, Any]]:
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


def _field_change(
    kind: str, parts: list[Any], before: Any, after: Any, old: dict[str, Any], new: dict[str, Any]
) -> FieldChange:
    path = format_path(parts)
    parts = _named(parts, old, new)
    if parts and parts[-1] == CONFIG_CHECKSUM_ANNOTATION:
        return FieldChange(
            path,
            _shown(before) if before is not None else None,
            _shown(after) if after is not None else None,
            note="config changed",
        )
    if (
        isinstance(before, str)
        and isinstance(after, str)
        and ("\n" in before or "\n" in after)
        and not secret_field(kind, parts)
    ):
        # A file: its changed lines, each secret value cut out whole (however many lines) first.
        file_name = str(parts[-1]) if parts else ""
        return FieldChange(
            path,
            f"{before.count(chr(10))} lines",
            f"{after.count(chr(10))} lines",
            lines=_line_diff(*redact_texts(file_name, before, after)),
        )
    if sensitive(kind, parts, before) or sensitive(kind, parts, after):
        return FieldChange(path, None if before is None else REDACTED, None if after is None else REDACTED)
    if parts and parts[-1] == "image":
        before, after = _short_images(before, after)
    return FieldChange(path, _display(kind, parts, before), _display(kind, parts, after))


def _named(parts: list[Any], old: dict[str, Any], new: dict[str, Any]) -> list[Any]:
    """parts with list indexes replaced by the item's [name] where the item has one (for redaction)."""
    named = list(parts)
    for index, part in enumerate(parts):
        if isinstance(part, int):
            item = lookup(new, parts[: index + 1]) or lookup(old, parts[: index + 1])
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                named[index] = item_key(item["name"])
    return named


def _line_diff(before: str, after: str) -> tuple[str, ...]:
    """The changed lines of two redacted texts, without the ---/+++ header."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=1)
    return tuple(list(lines)[2:])


def _short_images(before: Any, after: Any) -> tuple[Any, Any]:
    """Two references of the same repository read as their versions: 1.4.2 -> 1.5.0."""
    try:
        old, new = parse_image(before), parse_image(after)
    except (InvalidImage, TypeError):
        return before, after
    if (old.registry, old.repository) != (new.registry, new.repository):
        return before, after

    def version(ref) -> str:
        digest = f"@{ref.digest.split(':')[0]}:{ref.digest.split(':')[1][:12]}" if ref.digest else ""
        return f"{ref.tag or ''}{digest}" or "latest"

    return version(old), version(new)


def _display(kind: str, parts: list[Any], value: Any) -> str | None:
    if value is None:
        return None
    return _shown(redact(kind, parts, value))


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(", ", ": "))
