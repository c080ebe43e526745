"""Object metadata shared by every component: the recommended labels and selectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kube.tenancy import TENANT_LABEL

Manifest = dict[str, Any]

MANAGED_BY = "pulumi"


@dataclass(frozen=True)
class AppIdentity:
    """What the app.kubernetes.io/* labels say about an object."""

    name: str  # the application, e.g. agent-service
    instance: str  # the application in this stage, e.g. agent-service-prod
    version: str  # the released version of the application (image tag or release id)
    component: str  # its role in the architecture, e.g. agent-runtime
    part_of: str  # the platform, e.g. agentflow
    tenant: str | None = None  # the dedicated tenant the object serves; None: the shared platform

    def labels(self) -> dict[str, str]:
        """All six recommended labels, and the tenant's label on a tenant's objects."""
        labels = {
            "app.kubernetes.io/name": self.name,
            "app.kubernetes.io/instance": self.instance,
            "app.kubernetes.io/version": self.version,
            "app.kubernetes.io/component": self.component,
            "app.kubernetes.io/part-of": self.part_of,
            "app.kubernetes.io/managed-by": MANAGED_BY,
        }
        if self.tenant:
            labels[TENANT_LABEL] = self.tenant
        return labels

    def selector(self) -> dict[str, str]:
        """The labels that select this app's pods; never the version, selectors are immutable."""
        return {"app.kubernetes.io/name": self.name, "app.kubernetes.io/instance": self.instance}


def object_meta(
    name: str, namespace: str | None, labels: dict[str, str], annotations: dict[str, str] | None = None
) -> dict[str, Any]:
    """metadata for an object; cluster-scoped objects pass namespace=None."""
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta
