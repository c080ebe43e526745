"""Which tenant a namespace belongs to: the tenant label on its Namespace object.

Every dedicated tenant of a stage gets its own namespace, labelled TENANT_LABEL=<tenant>; the
diff, the preview, the `--tenant` filters and the tenant-isolation rule all read tenancy from
that label, never from a naming convention.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

TENANT_LABEL = "agentflow.example.com/tenant"


def tenant_of(namespace_manifest: Mapping[str, Any]) -> str | None:
    """The tenant a Namespace object is labelled with, or None for a shared namespace."""
    labels = (namespace_manifest.get("metadata") or {}).get("labels") or {}
    tenant = labels.get(TENANT_LABEL)
    return tenant if isinstance(tenant, str) and tenant else None


def tenant_namespaces(manifests: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """namespace name -> tenant, for every tenant-labelled Namespace among the manifests."""
    out: dict[str, str] = {}
    for manifest in manifests:
        if manifest.get("kind") == "Namespace" and manifest.get("apiVersion") == "v1":
            tenant = tenant_of(manifest)
            name = (manifest.get("metadata") or {}).get("name")
            if tenant and isinstance(name, str):
                out[name] = tenant
    return out
