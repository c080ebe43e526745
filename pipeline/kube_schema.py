"""The Kubernetes schema check: built-in kinds against Kubernetes' own OpenAPI schemas (strict,
unknown fields rejected), custom resources against kube/crd_schemas; a kind with no schema is
reported, never silently passed.

The schemas ship with kubernetes-validate; each kind's validator is compiled once per process
(kubernetes-validate itself re-reads the 1.8 MB definitions file for every object).

jsonschema interprets a schema anew for every object, which at fleet scale costs more than the
rest of the check. So each kind's schema is also compiled once into plain Python predicates
(`fast_validator`) covering the keywords the Kubernetes and CRD schemas use (type, properties,
additionalProperties, required, items, enum, oneOf and friends, $ref); an object the predicate
accepts has no problem to report, and only an object it rejects goes through jsonschema, which
says what is wrong. A schema using any other keyword is never compiled: jsonschema judges it.

Integers are judged as Kubernetes decodes them, in both (pipeline.kube_integers): no float in
an integer field, int32 and int64 ranges. pipeline.kube_limits adds what the API server refuses
beyond the schemas (names, labels, 1 MiB of ConfigMap data). No message shows a Secret's value.
"""

from __future__ import annotations

import json
import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import jsonschema
from jsonschema._utils import equal, uniq
from referencing import Registry, Resource

from kube.crd_schemas import crd_validator
from kube.identity import ResourceId, resource_id
from kube.workloads import title
from pipeline import kube_limits
from pipeline.kube_integers import StrictValidator, int32_int_or_string, is_integer, out_of_range

KUBERNETES_VERSION = "1.37.0"
_KIND = re.compile(r"[A-Za-z0-9]{1,63}")
_API_VERSION = re.compile(r"(?:[A-Za-z0-9.-]{1,253}/)?[A-Za-z0-9]{1,63}")
_SCHEMA_DIR = f"kubernetes-json-schema/v{KUBERNETES_VERSION}-local-strict"


@dataclass(frozen=True)
class SchemaProblem:
    """An object that does not validate, or that no schema covers."""

    resource: str  # Kind namespace/name
    resource_id: ResourceId | None
    path: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"resource": self.resource, "path": self.path, "message": self.message}


@lru_cache(maxsize=1)
def _registry() -> Registry:
    root = resources.files("kubernetes_validate").joinpath(_SCHEMA_DIR)
    definitions = json.loads(root.joinpath("_definitions.json").read_text(encoding="utf-8"))
    return Resource.from_contents(int32_int_or_string(definitions)) @ Registry()


def _schema_file(api_version: str, kind: str) -> str:
    # kubernetes-validate's naming: rbac.authorization.k8s.io/v1 -> rbac-v1, v1 -> v1
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return f"{kind.lower()}-{api}.json"


@cache
def builtin_validator(api_version: str, kind: str) -> jsonschema.Validator | None:
    """The compiled validator of a built-in kind, or None when Kubernetes has no such kind."""
    if "." in api_version.split("/")[0] and not api_version.split("/")[0].endswith(".k8s.io"):
        return None  # a custom resource group (monitoring.coreos.com, ...)
    if not _KIND.fullmatch(kind) or not _API_VERSION.fullmatch(api_version):
        return None  # no Kubernetes kind (and no path into the schema folder: "../x", 300 characters)
    entry = resources.files("kubernetes_validate").joinpath(_SCHEMA_DIR, _schema_file(api_version, kind))
    if not entry.is_file():
        return None
    schema = json.loads(entry.read_text(encoding="utf-8"))
    return StrictValidator(schema, registry=_registry())


@cache
def custom_validator(api_version: str, kind: str) -> jsonschema.Validator | None:
    """A custom resource's validator (kube.crd_schemas), judging integers as the built-in kinds' do."""
    validator = crd_validator(api_version, kind)
    return None if validator is None else StrictValidator(validator.schema)


def validator_for(api_version: str, kind: str) -> jsonschema.Validator | None:
    """The validator of any kind we know a schema for."""
    return builtin_validator(api_version, kind) or custom_validator(api_version, kind)


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
    | {"uniqueItems"}
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
        self.keywords = validator.VALIDATORS
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
            search = re.compile(schema["pattern"]).search
            checks.append(lambda value: not isinstance(value, str) or search(value) is not None)
        for name in _BOUNDS.keys() & schema.keys():
            applies, breaks = _BOUNDS[name]
            bound = schema[name]
            checks.append(lambda value, a=applies, b=breaks, n=bound: not a(value) or not b(value, n))
        if schema.get("uniqueItems"):
            checks.append(lambda value: not isinstance(value, list) or bool(uniq(value)))
        return checks

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


@cache
def fast_validator(api_version: str, kind: str) -> Check | None:
    """A kind's schema compiled to a predicate: True means jsonschema finds no error; None: not compilable."""
    validator = validator_for(api_version, kind)
    if validator is None:
        return None
    try:
        compiler = _Compiler(validator)
        compiler.keep.append(validator.schema)
        return compiler.compile(validator.schema, compiler.resolver)
    except (_Unsupported, RecursionError):
        return None


def check_manifest(manifest: Mapping[str, Any]) -> list[SchemaProblem]:
    """Schema problems of one manifest: each invalid field, or one problem when no schema exists."""
    api_version, kind = manifest.get("apiVersion"), manifest.get("kind")
    name = title(manifest)
    try:
        rid = resource_id(manifest)
    except (KeyError, TypeError, AttributeError):
        rid = None
    limits = [SchemaProblem(name, rid, path, message) for path, message in kube_limits.problems(manifest)]
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return [SchemaProblem(name, rid, "", "has no apiVersion and kind")]
    validator = validator_for(api_version, kind)
    if validator is None:
        return [
            SchemaProblem(
                name,
                rid,
                "",
                f"no schema for {api_version} {kind}: not validated "
                f"(Kubernetes {KUBERNETES_VERSION} has no such kind and no CRD schema is known)",
            ),
            *limits,
        ]
    fast = fast_validator(api_version, kind)
    if fast is not None and fast(manifest):
        return limits
    secret = kind == "Secret" and api_version == "v1"
    return [
        SchemaProblem(name, rid, _path(error.absolute_path), _message(error, secret))
        for error in sorted(validator.iter_errors(manifest), key=lambda e: list(map(str, e.absolute_path)))
    ] + limits


def check_manifests(manifests: Iterable[Mapping[str, Any]]) -> list[SchemaProblem]:
    """Schema problems of every manifest."""
    return [problem for manifest in manifests for problem in check_manifest(manifest)]


def _path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: jsonschema.ValidationError, secret: bool = False) -> str:
    instance = error.instance
    if secret and list(error.absolute_path)[:1] in (["data"], ["stringData"]) and len(error.absolute_path) > 1:
        return error.message.replace(repr(instance), "the value", 1)  # a Secret's value stays unsaid
    if error.validator in ("oneOf", "anyOf"):  # an IntOrString's int32 out of range says so, not "any of"
        ranges = [sub.message for sub in error.context or () if "out of range" in sub.message]
        if ranges:
            return ranges[0]
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown field")
    if error.validator == "type" and isinstance(instance, float) and "integer" in str(error.validator_value):
        if instance.is_integer() and abs(instance) < 2**63:
            return f"{instance!r} is a float, and this field holds an integer: write {int(instance)}"
        return f"{instance!r} is a float, and this field holds an integer"
    return _shortened(error.message)


def _shortened(message: str) -> str:
    """A message quoting a long value (a 1 MiB string, a whole object), cut to a readable length."""
    return message if len(message) <= 500 else f"{message[:300]}...{message[-150:]}"
