"""Kubernetes' own OpenAPI definitions, as kubernetes-validate ships them (one release, strict).

Shared by the built-in kinds' validators (pipeline.kube_schema) and the CRD validators
(pipeline.crd_schemas_input), whose `metadata` is Kubernetes' ObjectMeta through OBJECT_META.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

from referencing import Registry, Resource

from kube.api_versions import removed_apis
from kube.identity import split_api_version
from pipeline.kube_integers import int32_int_or_string

KUBERNETES_VERSION = "1.37.0"
SCHEMA_DIR = f"kubernetes-json-schema/v{KUBERNETES_VERSION}-local-strict"
DEFINITIONS_ID = "https://kubernetes.io/api/_definitions.json"
OBJECT_META = f"{DEFINITIONS_ID}#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def schema_folder() -> Traversable:
    """kubernetes-validate's folder of this release's strict schemas."""
    return resources.files("kubernetes_validate").joinpath(SCHEMA_DIR)


@lru_cache(maxsize=1)
def _definitions() -> dict:
    text = schema_folder().joinpath("_definitions.json").read_text(encoding="utf-8")
    return int32_int_or_string(json.loads(text))


@lru_cache(maxsize=1)
def registry() -> Registry:
    """The definitions every built-in schema refers to, as a referencing registry."""
    return Resource.from_contents(_definitions()) @ Registry()


@cache
def builtin_groups() -> frozenset[str]:
    """API groups Kubernetes serves or once served ("" the core group): any other group is a custom resource's."""
    groups = {
        gvk.get("group", "")
        for definition in _definitions().get("$defs", {}).values()
        for gvk in definition.get("x-kubernetes-group-version-kind", ())
    }
    return frozenset(groups | {split_api_version(api.api_version)[0] for api in removed_apis()})


def is_builtin_group(api_version: str) -> bool:
    """Whether apiVersion's group is Kubernetes' own (apps, batch, networking.k8s.io, ...)."""
    return split_api_version(api_version)[0] in builtin_groups()
