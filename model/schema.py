"""Validation of a merged stage document against stage.schema.json, as located Problems.

JSON Schema's "integer" admits 2.0 (a number with a zero fraction); Kubernetes and the backup
script do not, so this validator's integer is an int and only an int, for every integer field
at once. A message shows the offending value (shortened when long) unless the key names a
secret (`password`, `api_key`, ...: kube.secrets.secret_name): a password pasted where the
schema wants something else is described by its type only.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

from kube.secrets import credential, secret_name
from model.compose import shortened
from model.errors import Problem
from model.source import SourceMap, format_path

SCHEMA_FILE = "stage.schema.json"
INT32_MAX = 2**31 - 1  # the bound of every count that becomes a Kubernetes int32 field
_BOUNDS = {
    "minimum": "at least",
    "maximum": "at most",
    "exclusiveMinimum": "more than",
    "exclusiveMaximum": "less than",
}


@lru_cache(maxsize=1)
def stage_schema() -> dict:
    """The JSON Schema of a stage (defaults.yaml merged with <stage>.yaml)."""
    return json.loads(resources.files("model").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def _is_integer(_checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


StageValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = stage_schema()
    StageValidator.check_schema(schema)
    return StageValidator(schema)


def schema_problems(data: Any, source: SourceMap) -> list[Problem]:
    """Every way data breaks the stage schema, located in the file that set the value.

    A value of the wrong type is reported as that alone: 1e30 in a count is not an integer,
    and saying it is also above the maximum adds nothing.
    """
    errors = list(_validator().iter_errors(data))
    mistyped = {tuple(error.absolute_path) for error in errors if error.validator == "type"}
    return [
        problem
        for error in errors
        if not (error.validator in _BOUNDS and tuple(error.absolute_path) in mistyped)
        for problem in _problem(error, source)
    ]


def _problem(error: jsonschema.ValidationError, source: SourceMap) -> list[Problem]:
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    hint = _hint(error)
    hidden = _names_a_secret(path)
    shown = _hidden if hidden else describe
    if error.validator == "additionalProperties":
        known = list(schema.get("properties", {}))
        allowed = ", ".join(sorted(known))
        problems = []
        for key in sorted(set(error.instance) - set(known)):
            close = difflib.get_close_matches(key, known, n=1)
            suggestion = f"did you mean {close[0]!r}? " if close else ""
            problems.append(
                Problem(
                    source.locate(path + (key,)),
                    format_path(path + (key,)),
                    f"unknown key {key!r}",
                    f"{suggestion}allowed keys here: {allowed}",
                )
            )
        return problems
    if "propertyNames" in error.schema_path:
        # A bad key (e.g. a service name): jsonschema reports it on the mapping, point at the key.
        return [
            Problem(
                source.locate(path + (error.instance,)),
                format_path(path + (error.instance,)),
                f"{_value(error.instance)} is not {schema.get('description', 'a valid name here')}",
                hint,
            )
        ]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return [
            Problem(
                source.locate(path),
                format_path(path + (missing,)),
                f"missing required key {missing!r}",
                hint or "add it to the stage file or to defaults.yaml",
            )
        ]
    if error.validator == "type":
        return [_type_problem(error, source, path, hint, hidden)]
    if error.validator == "enum":
        options = ", ".join(repr(v) for v in error.validator_value)
        return [
            Problem(
                source.locate(path),
                format_path(path),
                f"is {_hidden(error.instance) if hidden else _value(error.instance)}, expected one of {options}",
                hint or "use one of the listed values (case matters)",
            )
        ]
    if error.validator == "pattern":
        what = schema.get("description", f"a string matching {error.validator_value}")
        value = _hidden(error.instance) if hidden else _value(error.instance)
        return [Problem(source.locate(path), format_path(path), f"{value} is not {what}", hint)]
    if error.validator in _BOUNDS:
        value = _hidden(error.instance) if hidden else shortened(str(error.instance))
        return [
            Problem(
                source.locate(path),
                format_path(path),
                f"is {value}, must be {_BOUNDS[error.validator]} {error.validator_value}",
                hint or _range(schema),
            )
        ]
    if error.validator in ("minLength", "maxLength"):
        side = "at least" if error.validator == "minLength" else "at most"
        length = len(error.instance) if isinstance(error.instance, str) else 0
        message = f"{shown(error.instance)} of {length:,} characters; must be {side} {error.validator_value}"
        return [Problem(source.locate(path), format_path(path), message, hint)]
    if hidden or len(error.message) > 200:  # jsonschema's own message starts with the value
        message = f"{shown(error.instance)} does not meet {error.validator} {shortened(str(error.validator_value))}"
        return [Problem(source.locate(path), format_path(path), message, hint)]
    return [Problem(source.locate(path), format_path(path), error.message, hint)]


def _type_problem(
    error: jsonschema.ValidationError, source: SourceMap, path: tuple, hint: str, hidden: bool
) -> Problem:
    instance = error.instance
    expected = error.validator_value if isinstance(error.validator_value, str) else " or ".join(error.validator_value)
    number = isinstance(instance, (int, float)) and not isinstance(instance, bool)
    if hidden:
        message = f"expected {expected}, got {_hidden(instance)}"
        return Problem(source.locate(path), format_path(path), message, hint or f"write a {expected} here")
    if isinstance(instance, float) and "integer" in expected.split(" or "):
        whole = instance.is_integer() and abs(instance) < 1e18
        message = f"expected {'an integer' if expected == 'integer' else expected}, got number {instance!r}"
        if whole:
            hint = f"write {int(instance)}"
        elif not (hint and "string" in expected):  # a quantity: its own hint says how to write one
            hint = "write a whole number, without a decimal point or exponent"
        return Problem(source.locate(path), format_path(path), message, hint)
    message = f"expected {expected}, got {describe(instance)}"
    if expected == "string" and number:
        hint = f"quote it: YAML reads {shortened(repr(instance))} as a number" + (f"; {hint}" if hint else "")
    elif isinstance(instance, str) and expected in ("integer", "number", "boolean"):
        hint = hint or f"write it without quotes, e.g. {shortened(instance.strip(chr(34)))}"
    return Problem(source.locate(path), format_path(path), message, hint or f"write a {expected} here")


def _range(schema: dict) -> str:
    """The hint for a number out of bounds: the range the schema allows."""
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        note = " (Kubernetes counts are 32-bit)" if high == INT32_MAX else ""
        return f"write a number from {low} to {high}{note}"
    return f"write a number of at least {low}" if low is not None else f"write a number of at most {high}"


def _hint(error: jsonschema.ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    return schema.get("x-hint", "")


def _names_a_secret(path: tuple) -> bool:
    """Whether the last key of path (an item's list counts as its key) names a secret."""
    keys = [part for part in path if isinstance(part, str)]
    return bool(keys) and secret_name(keys[-1])


def _value(value: Any) -> str:
    """A value as a message quotes it: repr, shortened when long (never cut where a credential would show)."""
    what = credential(value)
    if what:
        return f"{_kind(value)} (not shown: it looks like {what})"
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}... ({_kind(value)} of {len(value):,} characters)"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "nothing (null)"
    return "a list" if isinstance(value, list) else "a mapping"


def _hidden(value: Any) -> str:
    """A value at a key that names a secret: its type only."""
    kind = _kind(value)
    return kind if value is None else f"{kind} (not shown: the key names a secret)"


def describe(value: Any) -> str:
    """A value in a message: its type and (shortened, credentials hidden) its value; "a mapping" for a mapping."""
    if isinstance(value, bool):
        return f"boolean {value!r}"
    if isinstance(value, (int, float)):
        return f"number {shortened(repr(value))}"
    if isinstance(value, str):
        return f"string {_value(value)}"
    if value is None:
        return "nothing (null)"
    return "a list" if isinstance(value, list) else "a mapping"
