"""Identity of a Kubernetes object (group, kind, namespace, name) and its Pulumi type token."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class ResourceId:
    """What makes two manifests the same object: the API group, not its version, counts."""

    group: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


def split_api_version(api_version: str) -> tuple[str, str]:
    """("apps", "v1") for apps/v1; ("", "v1") for the core group's v1."""
    group, _, version = api_version.rpartition("/")
    return group, version


def resource_id(manifest: Mapping[str, Any]) -> ResourceId:
    """The identity of a manifest."""
    group, _ = split_api_version(manifest["apiVersion"])
    meta = manifest.get("metadata") or {}
    return ResourceId(group, manifest["kind"], meta.get("namespace") or "", meta["name"])


def type_token(api_version: str, kind: str) -> str:
    """The Pulumi type token pulumi-kubernetes uses: kubernetes:apps/v1:Deployment, kubernetes:core/v1:Service."""
    group, version = split_api_version(api_version)
    return f"kubernetes:{group or 'core'}/{version}:{kind}"


def pulumi_name(manifest: Mapping[str, Any]) -> str:
    """The Pulumi resource name of a manifest: namespace/name, or name when cluster-scoped."""
    meta = manifest["metadata"]
    return f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else meta["name"]
