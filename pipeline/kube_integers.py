"""Integers as Kubernetes decodes them, for the schema check (pipeline.kube_schema).

jsonschema's `integer` takes 2.0 (draft 2020-12: a float with no fraction is an integer), but
the API server decodes a JSON number into a Go int32 or int64: `replicas: 2.0` and
`containerPort: 8080.0` are no integers, 3000000000 is no int32. StrictValidator is draft
2020-12 with an integer that is an int, and a `type: integer` that holds its field's range:
int32 where the schema's format says int32 (and the integer of an IntOrString, which Go holds
in an int32), int64 otherwise. pipeline.kube_schema compiles the same rules into its predicates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"


def is_integer(value: Any) -> bool:
    """An int, not a bool and not a float (2.0 is a float)."""
    return isinstance(value, int) and not isinstance(value, bool)


def int_range(schema: Mapping[str, Any]) -> tuple[int, int]:
    """The range of an integer field: int32 when its format says so, else int64 (Go's int)."""
    return INT32 if schema.get("format") == "int32" else INT64


def out_of_range(value: int, schema: Mapping[str, Any]) -> str | None:
    """Why an integer does not fit its field, or None."""
    low, high = int_range(schema)
    if low <= value <= high:
        return None
    return f"{value} is out of range for an {'int32' if high == INT32[1] else 'int64'} field ({low} to {high})"


def int32_int_or_string(definitions: dict[str, Any]) -> dict[str, Any]:
    """Kubernetes' definitions with the integer of IntOrString marked int32, as Go holds it."""
    for branch in definitions.get("$defs", {}).get(INT_OR_STRING, {}).get("oneOf", ()):
        if "integer" in branch.get("type", ()):
            branch.setdefault("format", "int32")
    return definitions


def _type(validator: Any, types: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[Any]:
    """jsonschema's `type`, and an integer within its field's range."""
    yield from _DRAFT_TYPE(validator, types, instance, schema)
    if is_integer(instance) and "integer" in (types if isinstance(types, list) else [types]):
        why = out_of_range(instance, schema)
        if why:
            yield jsonschema.ValidationError(why)


_DRAFT_TYPE = jsonschema.Draft202012Validator.VALIDATORS["type"]
StrictValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    validators={"type": _type},
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", lambda _, value: is_integer(value)),
)
