"""What a YAML document of a manifest folder is: a Kubernetes object, something else, or broken.

A folder of manifests holds files that are no objects of the cluster: a kustomization.yaml
(often no more than `resources:`), Helm values, an application's configuration, a chart's
Chart.yaml. kubectl never sees those; here they are skipped, each named with why
(skip_reason). A document meant as an object but unusable as one (a list, a kind without an
apiVersion, a name that is no string) is a problem (shape_problem).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from model.errors import Location, Problem

# Build configuration that sits beside manifests (kustomization.yaml): not objects of the cluster.
NOT_OBJECTS = ("kustomize.config.k8s.io/",)
KUSTOMIZE_KINDS = ("Kustomization", "Component")
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def skip_reason(document: Any, base: str) -> str | None:
    """Why a document is skipped as no Kubernetes object (base: its file's name); None when it is meant as one."""
    if not isinstance(document, dict):
        return None
    api, kind = document.get("apiVersion"), document.get("kind")
    if isinstance(api, str) and api.startswith(NOT_OBJECTS):
        return f"a kustomize {kind if isinstance(kind, str) and kind else 'file'} ({api}), not a Kubernetes object"
    if api in (None, "") and (kind in KUSTOMIZE_KINDS or (kind in (None, "") and base in KUSTOMIZATION_FILES)):
        return "a kustomization (kustomize's build file), not a Kubernetes object"
    if kind in (None, "") and base == "Chart.yaml" and api in ("v1", "v2"):
        return "a Helm chart's Chart.yaml, not a Kubernetes object"
    if api in (None, "") and kind in (None, ""):
        return "no apiVersion and no kind: not a Kubernetes object (configuration, Helm values or the like)"
    return None


def shape_problem(manifest: Any, start: Location, where: Callable[[str], Location]) -> Problem | None:
    """Why a document meant as an object cannot be read as one (None: it can); where(path) locates a field."""
    if not isinstance(manifest, dict):
        return Problem(
            start,
            "",
            f"expected a Kubernetes object (a mapping), got {type(manifest).__name__}",
            "each YAML document is one object with apiVersion, kind and metadata",
        )
    for key in ("apiVersion", "kind"):
        if manifest.get(key) in (None, ""):
            return Problem(start, key, f"missing {key}", "every Kubernetes object names its apiVersion and kind")
        if not isinstance(manifest[key], str):
            return Problem(where(key), key, f"must be a string, not {_kind_of(manifest[key])}", "e.g. apiVersion: v1")
    metadata = manifest.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("name") in (None, ""):
        return Problem(
            start,
            "metadata.name",
            "missing metadata.name",
            "generateName is not supported: the pipeline identifies objects by name",
        )
    for key in ("name", "namespace"):
        if metadata.get(key) is not None and not isinstance(metadata[key], str):
            return Problem(
                where(f"metadata.{key}"),
                f"metadata.{key}",
                f"must be a string, not {_kind_of(metadata[key])}",
                "names are DNS labels or subdomains: quote one that YAML reads as a number or boolean",
            )
    for key in ("labels", "annotations"):  # read by the pipeline itself (tenancy, identity), not only by rules
        if metadata.get(key) is not None and not isinstance(metadata[key], dict):
            return Problem(
                where(f"metadata.{key}"),
                f"metadata.{key}",
                f"must be a mapping of names to strings, not {_kind_of(metadata[key])}",
                "e.g. labels: {app.kubernetes.io/name: agent-service}",
            )
    return None


def _kind_of(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)
