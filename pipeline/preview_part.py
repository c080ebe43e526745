"""The shape of a preview part (`preview --stage S --json PART`), checked before `preview --merge` reads it.

Preview.from_dict and the reports trust the types Preview.as_dict writes: a list where a name
goes, or a number where a message goes, would fail deep inside a report (exit 3). PART_SCHEMA
states those types (JSON Schema 2020-12; keys it does not name are let through), and
shape_problems says, by key path, where a part breaks it.
"""

from __future__ import annotations

from typing import Any

import jsonschema

_STR = {"type": "string"}
_STR_OR_NULL = {"type": ["string", "null"]}
_STRINGS = {"type": "array", "items": _STR}
_COUNT = {"type": "integer", "minimum": 0}


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "object", "required": sorted(required), "properties": {**required, **(optional or {})}}


_RESOURCE_ID = {"oneOf": [{"type": "null"}, _object({"group": _STR, "kind": _STR, "namespace": _STR, "name": _STR})]}
_LOCATION = {
    "oneOf": [
        {"type": "null"},
        _object({"file": _STR, "line": _COUNT, "column": _COUNT}, {"key_path": _STR_OR_NULL}),
    ]
}
_LINES_OR_NULL = {"oneOf": [{"type": "null"}, _COUNT]}
_LONG = _object({"old_lines": _LINES_OR_NULL, "new_lines": _LINES_OR_NULL, "added": _COUNT, "removed": _COUNT})
_FIELD_CHANGE = _object(
    {"path": _STR, "old": _STR_OR_NULL, "new": _STR_OR_NULL}, {"note": _STR, "lines": _STRINGS, "long": _LONG}
)
_CHANGE = _object(
    {
        "group": _STR,
        "kind": _STR,
        "namespace": _STR,
        "name": _STR,
        "rollout": {"enum": ["create", "update", "restart", "replace", "delete"]},
        "changes": {"type": "array", "items": _FIELD_CHANGE},
        "risks": {"type": "array", "items": _object({"risk": _STR, "path": _STR, "detail": _STR})},
        "reasons": _STRINGS,
    },
    {"resource": _STR, "tenant": _STR_OR_NULL},
)
_SCHEMA_PROBLEM = _object(
    {"resource": _STR, "path": _STR, "message": _STR}, {"resource_id": _RESOURCE_ID, "location": _LOCATION}
)
_FINDING = _object(
    {
        "rule": _STR,
        "enforcement": _STR,
        "resource": _STR,
        "path": _STR,
        "observed": _STR,
        "expected": _STR,
        "remediation": _STR,
    },
    {"resource_id": _RESOURCE_ID, "location": _LOCATION, "new": {"type": "boolean"}, "message": _STR},
)
_POLICY = _object(
    {
        "resources": _COUNT,
        "rules": _STRINGS,
        "schema_problems": {"type": "array", "items": _SCHEMA_PROBLEM},
        "findings": {"type": "array", "items": _FINDING},
    },
    {"tenant_filter": _STRINGS, "passed": {"type": "boolean"}},
)
_STAGE = _object(
    {"stage": _STR, "unchanged": _COUNT, "changes": {"type": "array", "items": _CHANGE}},
    {"release": _STR_OR_NULL, "base_release": _STR_OR_NULL, "policy": {"oneOf": [{"type": "null"}, _POLICY]}},
)
PART_SCHEMA = _object(
    {"base": _STR, "head": _STR, "stages": {"type": "array", "items": _STAGE}},
    {"order": _STRINGS, "protected": _STR_OR_NULL, "tenant_filter": _STRINGS, "blockers": _STRINGS},
)
_VALIDATOR = jsonschema.Draft202012Validator(PART_SCHEMA)


def shape_problems(data: Any, most: int = 5) -> list[str]:
    """`key path: what is wrong` for each place data breaks PART_SCHEMA (at most `most` of them)."""
    out = []
    for error in sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        message = error.message if len(error.message) <= 200 else error.message[:200] + "..."
        if error.validator == "required":
            message = "missing key " + message.removesuffix(" is a required property")
        out.append(f"{path}: {message}" if path else message)
        if len(out) == most:
            break
    return out
