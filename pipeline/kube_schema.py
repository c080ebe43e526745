"""The Kubernetes schema check: built-in kinds against Kubernetes' own OpenAPI schemas (strict,
unknown fields rejected), custom resources against their CRD's schema; a kind with no schema is
reported, never silently passed.

The schemas of built-in kinds ship with kubernetes-validate; each kind's validator is compiled
once per process (kubernetes-validate itself re-reads the 1.8 MB definitions file for every
object). A custom resource is validated against, first found: a CRD among the checked manifests
or in a --schema-dir folder, or a catalog schema there (pipeline.crd_schemas_input.SchemaSet),
else the platform's own four (kube/crd_schemas). One with none is a SchemaProblem marked
not_validated (the caller fails it only when asked to); an apiVersion and kind Kubernetes removed
says when and what replaces it (kube.api_versions); another unknown kind of a built-in group
(apps/v1 Foo) is a plain problem.

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
from functools import cache
from typing import Any

import jsonschema

from kube.api_versions import removed
from kube.crd_schemas import crd_validator
from kube.identity import ResourceId, resource_id
from kube.workloads import title
from pipeline import kube_limits
from pipeline.crd_schemas_input import SchemaSet
from pipeline.kube_definitions import KUBERNETES_VERSION, is_builtin_group, registry, schema_folder
from pipeline.kube_integers import StrictValidator
from pipeline.kube_schema_compiler import Check, compile_validator
from pipeline.schema_problem import SchemaProblem

__all__ = ["KUBERNETES_VERSION", "SchemaProblem", "SchemaSet", "check_manifest", "check_manifests"]
_KIND = re.compile(r"[A-Za-z0-9]{1,63}")
_API_VERSION = re.compile(r"(?:[A-Za-z0-9.-]{1,253}/)?[A-Za-z0-9]{1,63}")
_NO_SCHEMAS = SchemaSet()


def _schema_file(api_version: str, kind: str) -> str:
    # kubernetes-validate's naming: rbac.authorization.k8s.io/v1 -> rbac-v1, v1 -> v1
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return f"{kind.lower()}-{api}.json"


@cache
def builtin_validator(api_version: str, kind: str) -> jsonschema.Validator | None:
    """The compiled validator of a built-in kind, or None when Kubernetes has no such kind."""
    if not _KIND.fullmatch(kind) or not _API_VERSION.fullmatch(api_version):
        return None  # no Kubernetes kind (and no path into the schema folder: "../x", 300 characters)
    if not is_builtin_group(api_version):
        return None  # a custom resource group (monitoring.coreos.com, gateway.networking.k8s.io, ...)
    entry = schema_folder().joinpath(_schema_file(api_version, kind))
    if not entry.is_file():
        return None
    schema = json.loads(entry.read_text(encoding="utf-8"))
    return StrictValidator(schema, registry=registry())


@cache
def custom_validator(api_version: str, kind: str) -> jsonschema.Validator | None:
    """A custom resource's validator (kube.crd_schemas), judging integers as the built-in kinds' do."""
    validator = crd_validator(api_version, kind)
    return None if validator is None else StrictValidator(validator.schema)


def validator_for(api_version: str, kind: str) -> jsonschema.Validator | None:
    """The validator of a built-in kind or of one of the platform's custom resources."""
    return builtin_validator(api_version, kind) or custom_validator(api_version, kind)


@cache
def fast_validator(api_version: str, kind: str) -> Check | None:
    """A kind's schema compiled to a predicate: True means jsonschema finds no error; None: not compilable."""
    validator = validator_for(api_version, kind)
    if validator is None:
        return None
    return compile_validator(validator)


def check_manifest(manifest: Mapping[str, Any], schemas: SchemaSet | None = None) -> list[SchemaProblem]:
    """Schema problems of one manifest: each invalid field, or one problem when no schema exists.

    schemas: the run's custom resource schemas (SchemaSet.from_manifests); none: only the built-in
    kinds and the platform's own custom resources are known.
    """
    schemas = _NO_SCHEMAS if schemas is None else schemas
    api_version, kind = manifest.get("apiVersion"), manifest.get("kind")
    name = title(manifest)
    try:
        rid = resource_id(manifest)
    except (KeyError, TypeError, AttributeError):
        rid = None
    limits = [SchemaProblem(name, rid, path, message) for path, message in kube_limits.problems(manifest)]
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return [SchemaProblem(name, rid, "", "has no apiVersion and kind")]
    validator, fast = builtin_validator(api_version, kind), None
    if validator is not None:
        fast = fast_validator(api_version, kind)
    elif (gone := removed(api_version, kind)) is not None:
        return [SchemaProblem(name, rid, "apiVersion", gone.message()), *limits]
    elif (known := schemas.lookup(api_version, kind)) is not None:
        if known.validator is None:
            return [SchemaProblem(name, rid, "apiVersion", known.message, known.not_validated), *limits]
        validator, fast = known.validator, known.fast()
    elif (validator := custom_validator(api_version, kind)) is not None:
        fast = fast_validator(api_version, kind)
    else:
        return [_unknown(name, rid, api_version, kind), *limits]
    crd = schemas.problems_of(manifest)  # a CRD's own schemas, when manifest is one of the input's CRDs
    if fast is not None and fast(manifest):
        return limits + crd
    secret = kind == "Secret" and api_version == "v1"
    found = [
        SchemaProblem(name, rid, _path(error.absolute_path), _message(error, secret))
        for error in sorted(validator.iter_errors(manifest), key=lambda e: list(map(str, e.absolute_path)))
    ]
    said = {problem.path for problem in found}  # a malformed schema keyword: the CRD kind's schema said it
    return found + limits + [problem for problem in crd if problem.path not in said]


def _unknown(name: str, rid: ResourceId | None, api_version: str, kind: str) -> SchemaProblem:
    """No schema: of a custom resource, not validated; of a built-in group, no such kind."""
    if is_builtin_group(api_version):
        return SchemaProblem(name, rid, "kind", f"Kubernetes {KUBERNETES_VERSION} has no kind {kind} in {api_version}")
    return SchemaProblem(
        name,
        rid,
        "",
        f"no schema for {api_version} {kind}: not validated (no CRD for it among the manifests or in --schema-dir)",
        not_validated=True,
    )


def check_manifests(manifests: Iterable[Mapping[str, Any]], schemas: SchemaSet | None = None) -> list[SchemaProblem]:
    """Schema problems of every manifest; the CRDs among them validate their custom resources.

    schemas: SchemaSet.from_manifests(manifests, schema_dirs) when --schema-dir folders are given;
    by default the schemas of the manifests' own CRDs.
    """
    manifests = list(manifests)
    schemas = SchemaSet.from_manifests(manifests) if schemas is None else schemas
    return [problem for manifest in manifests for problem in check_manifest(manifest, schemas)]


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
    if error.validator == "type" and instance is None:
        return error.message.replace("None is not", "null is not", 1)
    return _shortened(error.message)


def _shortened(message: str) -> str:
    """A message quoting a long value (a 1 MiB string, a whole object), cut to a readable length."""
    return message if len(message) <= 500 else f"{message[:300]}...{message[-150:]}"
