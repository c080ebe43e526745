"""The Kubernetes schema check: built-in kinds against Kubernetes' own OpenAPI schemas (strict,
unknown fields rejected), custom resources against kube/crd_schemas; a kind with no schema is
reported, never silently passed.

The schemas ship with kubernetes-validate; each kind's validator is compiled once per process
(kubernetes-validate itself re-reads the 1.8 MB definitions file for every object).
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

KUBERNETES_VERSION = "1.37.0"
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
    return Resource.from_contents(definitions) @ Registry()


def _schema_file(api_version: str, kind: str) -> str:
    # kubernetes-validate's naming: rbac.authorization.k8s.io/v1 -> rbac-v1, v1 -> v1
    api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return f"{kind.lower()}-{api}.json"


@cache
def builtin_validator(api_version: str, kind: str) -> jsonschema.Draft202012Validator | None:
    """The compiled validator of a built-in kind, or None when Kubernetes has no such kind."""
    if "." in api_version.split("/")[0] and not api_version.split("/")[0].endswith(".k8s.io"):
        return None  # a custom resource group (monitoring.coreos.com, ...)
    entry = resources.files("kubernetes_validate").joinpath(_SCHEMA_DIR, _schema_file(api_version, kind))
    if not entry.is_file():
        return None
    schema = json.loads(entry.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, registry=_registry())


def validator_for(api_version: str, kind: str) -> jsonschema.Draft202012Validator | None:
    """The validator of any kind we know a schema for."""
    return builtin_validator(api_version, kind) or crd_validator(api_version, kind)


def check_manifest(manifest: Mapping[str, Any]) -> list[SchemaProblem]:
    """Schema problems of one manifest: each invalid field, or one problem when no schema exists."""
    api_version, kind = manifest.get("apiVersion"), manifest.get("kind")
    name = title(manifest)
    try:
        rid = resource_id(manifest)
    except (KeyError, TypeError, AttributeError):
        rid = None
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
            )
        ]
    return [
        SchemaProblem(name, rid, _path(error.absolute_path), _message(error))
        for error in sorted(validator.iter_errors(manifest), key=lambda e: list(map(str, e.absolute_path)))
    ]


def check_manifests(manifests: Iterable[Mapping[str, Any]]) -> list[SchemaProblem]:
    """Schema problems of every manifest."""
    return [problem for manifest in manifests for problem in check_manifest(manifest)]


def _path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown field")
    return error.message
