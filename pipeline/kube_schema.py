"""The Kubernetes schema check: built-in kinds against Kubernetes' own OpenAPI schemas (strict,
unknown fields rejected), custom resources against kube/crd_schemas; a kind with no schema is
reported, never silently passed.

The schemas ship with kubernetes-validate; each kind's validator is compiled once per process
(kubernetes-validate itself re-reads the 1.8 MB definitions file for every object).

jsonschema interprets a schema anew for every object, which at fleet scale costs more than the
rest of the check. So each kind's schema is also compiled once into plain Python predicates
(`fast_validator`, pipeline.kube_schema_compiler); an object the predicate accepts has no problem
to report, and only an object it rejects goes through jsonschema, which says what is wrong.

Integers are judged as Kubernetes decodes them, in both (pipeline.kube_integers): no float in
an integer field, int32 and int64 ranges. pipeline.kube_limits adds what the API server refuses
beyond the schemas (names, labels, 1 MiB of ConfigMap data). No message shows a Secret's value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import jsonschema
from referencing import Registry, Resource

from kube.crd_schemas import crd_validator
from kube.identity import ResourceId, resource_id
from kube.workloads import title
from pipeline import kube_limits
from pipeline.kube_integers import StrictValidator, int32_int_or_string
from pipeline.kube_schema_compiler import Check, compile_validator

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


@cache
def fast_validator(api_version: str, kind: str) -> Check | None:
    """A kind's schema compiled to a predicate: True means jsonschema finds no error; None: not compilable."""
    validator = validator_for(api_version, kind)
    if validator is None:
        return None
    return compile_validator(validator)


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
