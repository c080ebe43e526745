"""A Kubernetes or CRD schema compiled once into plain Python predicates (pipeline.kube_schema's fast path).

jsonschema interprets a schema anew for every object, which at fleet scale costs more than the
rest of the check. The predicates cover the keywords the Kubernetes and CRD schemas use (type,
properties, additionalProperties, required, items, enum, oneOf and friends, $ref, bounds,
pattern, multipleOf); an object a predicate accepts has no problem jsonschema would report. A
schema using any other keyword is not compiled (compile_validator gives None): jsonschema judges
it. A pattern is matched as the validator's own `pattern` keyword matches it: RE2 for CRD
schemas (pipeline.re2_match), Python's re for the others.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from typing import Any

import jsonschema
from jsonschema._utils import equal, uniq

from pipeline import re2_match
from pipeline.kube_integers import is_integer, out_of_range

Check = Callable[[Any], bool]


class _Unsupported(Exception):
    """A schema construct the compiler does not cover: jsonschema judges that kind."""


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": is_integer,
    "number": lambda v: isinstance(v, numbers.Number) and not isinstance(v, bool),
}
# Keywords jsonschema applies whose meaning the compiler reproduces; any other keyword jsonschema
# knows (pattern, minimum, ...) makes the schema _Unsupported, and keys it does not know are
# annotations it ignores (description, x-kubernetes-*, ...), as here.
_COMPILED = frozenset(
    {"type", "properties", "additionalProperties", "required", "items", "enum", "const", "oneOf", "anyOf"}
    | {"allOf", "not", "if", "$ref", "format", "pattern", "minLength", "maxLength", "minItems", "maxItems"}
    | {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minProperties", "maxProperties"}
    | {"uniqueItems", "multipleOf"}
)
_STRING, _ARRAY, _OBJECT, _NUMBER = _TYPES["string"], _TYPES["array"], _TYPES["object"], _TYPES["number"]
# keyword -> (the type it speaks about, when the value breaks it given the keyword's argument)
_BOUNDS: dict[str, tuple[Check, Callable[[Any, Any], bool]]] = {
    "minLength": (_STRING, lambda value, bound: len(value) < bound),
    "maxLength": (_STRING, lambda value, bound: len(value) > bound),
    "minItems": (_ARRAY, lambda value, bound: len(value) < bound),
    "maxItems": (_ARRAY, lambda value, bound: len(value) > bound),
    "minProperties": (_OBJECT, lambda value, bound: len(value) < bound),
    "maxProperties": (_OBJECT, lambda value, bound: len(value) > bound),
    "minimum": (_NUMBER, lambda value, bound: value < bound),
    "maximum": (_NUMBER, lambda value, bound: value > bound),
    "exclusiveMinimum": (_NUMBER, lambda value, bound: value <= bound),
    "exclusiveMaximum": (_NUMBER, lambda value, bound: value >= bound),
}


def _always(value: Any) -> bool:
    return True


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    return lambda value: all(check(value) for check in checks)


class _Compiler:
    """Compiles one validator's schema (and what it references) into predicates, each once."""

    def __init__(self, validator: jsonschema.Draft202012Validator):
        if validator.format_checker is not None:  # `format` would assert: not reproduced here
            raise _Unsupported("format")
        self.validator = validator
        self.keywords = validator.VALIDATORS
        # the pattern engine of this validator: RE2 for CRD schemas (pipeline.re2_match), else Python's re
        self.pattern_search = (
            (lambda p: re2_match.compile(p).search)
            if self.keywords.get("pattern") is re2_match.pattern_keyword
            else (lambda p: re.compile(p).search)
        )
        self.resolver = getattr(validator, "_resolver", None)
        if self.resolver is None or getattr(validator, "_ref_resolver", None) is not None:
            raise _Unsupported("a legacy RefResolver")
        self.compiled: dict[int, Check] = {}
        self.keep: list[Any] = []  # the schemas compiled, alive while their ids are keys

    def compile(self, schema: Any, resolver: Any) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return lambda value: False
        if not isinstance(schema, dict):
            raise _Unsupported(repr(schema))
        key = id(schema)
        if key in self.compiled:
            return self.compiled[key]
        target: list[Check] = []
        self.compiled[key] = lambda value: target[0](value)  # a reference back to a schema being compiled
        self.keep.append(schema)
        check = _all(self._checks(schema, resolver))
        target.append(check)
        self.compiled[key] = check
        return check

    def _checks(self, schema: dict[str, Any], resolver: Any) -> list[Check]:
        applied = [k for k in schema if k in self.keywords]
        unsupported = [k for k in applied if k not in _COMPILED]
        if unsupported or ("$id" in schema and schema is not self.keep[0]):
            raise _Unsupported(", ".join(unsupported) or "$id")
        checks: list[Check] = []
        if "$ref" in schema:
            try:
                resolved = resolver.lookup(schema["$ref"])
            except Exception as error:  # unresolvable: jsonschema reports it its own way
                raise _Unsupported(str(error)) from error
            checks.append(self.compile(resolved.contents, resolved.resolver))
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not all(isinstance(t, str) and t in _TYPES for t in types):
                raise _Unsupported(f"type {types!r}")
            predicates = [_TYPES[t] for t in types]
            checks.append(predicates[0] if len(predicates) == 1 else _any_type(predicates))
            if "integer" in types:
                checks.append(lambda value: not is_integer(value) or out_of_range(value, schema) is None)
        if "enum" in schema:
            checks.append(_enum(schema["enum"]))
        if "const" in schema:
            constant = schema["const"]
            checks.append(lambda value: equal(value, constant))
        if {"properties", "additionalProperties", "required"} & schema.keys():
            checks.append(self._object(schema, resolver))
        if "items" in schema:
            if "prefixItems" in schema or not isinstance(schema["items"], (dict, bool)):
                raise _Unsupported("prefixItems")
            item = self.compile(schema["items"], resolver)
            checks.append(lambda value: not isinstance(value, list) or all(item(v) for v in value))
        for name in ("allOf", "anyOf", "oneOf"):
            if name in schema:
                subs = [self.compile(sub, resolver) for sub in schema[name]]
                if name == "allOf":
                    checks.append(_all(subs))
                elif name == "anyOf":
                    checks.append(lambda value, subs=subs: any(sub(value) for sub in subs))
                else:
                    checks.append(lambda value, subs=subs: sum(1 for sub in subs if sub(value)) == 1)
        if "not" in schema:
            negated = self.compile(schema["not"], resolver)
            checks.append(lambda value: not negated(value))
        if "if" in schema:
            condition = self.compile(schema["if"], resolver)
            then = self.compile(schema.get("then", True), resolver)
            otherwise = self.compile(schema.get("else", True), resolver)
            checks.append(lambda value: then(value) if condition(value) else otherwise(value))
        if "pattern" in schema:
            try:
                search = self.pattern_search(schema["pattern"])
            except (re.error, ValueError, TypeError) as error:  # jsonschema reports a bad pattern its own way
                raise _Unsupported(str(error)) from error
            checks.append(lambda value: not isinstance(value, str) or bool(search(value)))
        if "multipleOf" in schema:
            checks.append(self._multiple_of(schema))
        for name in _BOUNDS.keys() & schema.keys():
            applies, breaks = _BOUNDS[name]
            bound = schema[name]
            checks.append(lambda value, a=applies, b=breaks, n=bound: not a(value) or not b(value, n))
        if schema.get("uniqueItems"):
            checks.append(lambda value: not isinstance(value, list) or bool(uniq(value)))
        return checks

    def _multiple_of(self, schema: dict[str, Any]) -> Check:
        """jsonschema's own multipleOf (its float and int arithmetic), as a predicate."""
        keyword, validator, bound = self.keywords["multipleOf"], self.validator, schema["multipleOf"]
        return lambda value: not _NUMBER(value) or next(iter(keyword(validator, bound, value, schema)), None) is None

    def _object(self, schema: dict[str, Any], resolver: Any) -> Check:
        if "patternProperties" in schema:
            raise _Unsupported("patternProperties")
        properties = {name: self.compile(sub, resolver) for name, sub in (schema.get("properties") or {}).items()}
        extra = schema.get("additionalProperties", True)
        additional = None if extra is True else (False if extra is False else self.compile(extra, resolver))
        required = tuple(schema.get("required") or ())

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True  # properties, additionalProperties and required say nothing about non-objects
            for name in required:
                if name not in value:
                    return False
            for name, item in value.items():
                sub = properties.get(name)
                if sub is not None:
                    if not sub(item):
                        return False
                elif additional is False:
                    return False
                elif additional is not None and not additional(item):
                    return False
            return True

        return check


def _any_type(predicates: list[Check]) -> Check:
    return lambda value: any(p(value) for p in predicates)


def _enum(members: list[Any]) -> Check:
    strings = frozenset(m for m in members if isinstance(m, str))

    def check(value: Any) -> bool:
        if isinstance(value, str):
            return value in strings  # jsonschema compares a string to each member with ==
        return any(equal(member, value) for member in members)

    return check


def compile_validator(validator: jsonschema.Validator) -> Check | None:
    """The validator's schema as one predicate (True: jsonschema finds no error); None when not compilable."""
    try:
        compiler = _Compiler(validator)
        compiler.keep.append(validator.schema)
        return compiler.compile(validator.schema, compiler.resolver)
    except (_Unsupported, RecursionError):
        return None
