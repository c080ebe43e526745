"""Validation of a merged stage document against stage.schema.json, as located Problems."""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

from model.errors import Problem
from model.source import SourceMap, format_path

SCHEMA_FILE = "stage.schema.json"


@lru_cache(maxsize=1)
def stage_schema() -> dict:
    """The JSON Schema of a stage (defaults.yaml merged with <stage>.yaml)."""
    return json.loads(resources.files("model").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = stage_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def schema_problems(data: Any, source: SourceMap) -> list[Problem]:
    """Every way data breaks the stage schema, located in the file that set the value."""
    return [problem for error in _validator().iter_errors(data) for problem in _problem(error, source)]


def _problem(error: jsonschema.ValidationError, source: SourceMap) -> list[Problem]:
    path = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    hint = _hint(error)
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
                f"{error.instance!r} is not {schema.get('description', 'a valid name here')}",
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
        expected = (
            error.validator_value if isinstance(error.validator_value, str) else " or ".join(error.validator_value)
        )
        message = f"expected {expected}, got {_describe(error.instance)}"
        if expected == "string" and isinstance(error.instance, (int, float)) and not isinstance(error.instance, bool):
            hint = f"quote it: YAML reads {error.instance!r} as a number" + (f"; {hint}" if hint else "")
        elif isinstance(error.instance, str) and expected in ("integer", "number", "boolean"):
            hint = hint or f"write it without quotes, e.g. {error.instance.strip(chr(34))}"
        return [Problem(source.locate(path), format_path(path), message, hint or f"write a {expected} here")]
    if error.validator == "enum":
        options = ", ".join(repr(v) for v in error.validator_value)
        return [
            Problem(
                source.locate(path),
                format_path(path),
                f"is {error.instance!r}, expected one of {options}",
                hint or "use one of the listed values (case matters)",
            )
        ]
    if error.validator == "pattern":
        what = schema.get("description", f"a string matching {error.validator_value}")
        return [Problem(source.locate(path), format_path(path), f"{error.instance!r} is not {what}", hint)]
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "more than",
            "exclusiveMaximum": "less than",
        }
        return [
            Problem(
                source.locate(path),
                format_path(path),
                f"is {error.instance}, must be {words[error.validator]} {error.validator_value}",
                hint,
            )
        ]
    return [Problem(source.locate(path), format_path(path), error.message, hint)]


def _hint(error: jsonschema.ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    return schema.get("x-hint", "")


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean {value!r}"
    if isinstance(value, (int, float)):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {value!r}"
    if value is None:
        return "nothing (null)"
    return "a list" if isinstance(value, list) else "a mapping"
