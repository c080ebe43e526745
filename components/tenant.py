"""Tenant: a dedicated tenant of a stage in a namespace of its own.

The tenant's namespace (Pod Security, the tenant label), a ResourceQuota and LimitRange sized
from its plan, default deny plus DNS, the ExternalSecrets its services read (database
credentials of its own, references only), and its own instances of the agent-platform services
the plan lists, each with its HPA, PDB, ServiceAccount, ConfigMap and NetworkPolicy. The
services share the platform's databases (backed up by the platform's CronJobs) through the
tenant's credentials; nothing admits another tenant's pods.

The platform's tenant-service learns of the tenant from a registry ConfigMap of its own in the
platform's namespace (labelled REGISTRY_LABEL, read through the API): adding a tenant creates
objects and changes none, so it rolls no shared pod.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml

from components.agent_service import AgentServiceSpec
from components.meta import AppIdentity, Manifest, object_meta
from components.platform_namespace import PlatformNamespaceSpec
from components.resource import PlatformComponent
from components.secrets import SecretsSpec

REGISTRY_LABEL = "agentflow.example.com/tenant-registry"


@dataclass(frozen=True)
class TenantRegistryEntry:
    """What tenant-service reads of one tenant: its plan, limits, features and namespace."""

    namespace: str  # the platform's namespace, where tenant-service runs
    identity: AppIdentity
    content: Mapping[str, Any]

    def manifest(self) -> Manifest:
        labels = {**self.identity.labels(), REGISTRY_LABEL: "true"}
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": object_meta(self.identity.name, self.namespace, labels),
            "data": {"tenant.yaml": yaml.safe_dump(dict(self.content), sort_keys=True, default_flow_style=False)},
        }


@dataclass(frozen=True)
class TenantSpec:
    """One tenant of a stage, composed of the namespace, secrets and service families' specs."""

    tenant: str
    registry: TenantRegistryEntry
    namespace: PlatformNamespaceSpec
    secrets: SecretsSpec
    services: tuple[AgentServiceSpec, ...]

    @property
    def name(self) -> str:
        return self.namespace.namespace

    def manifests(self) -> list[Manifest]:
        """Namespace and guard rails, secrets, each service's objects, and the registry entry."""
        out = self.namespace.manifests() + self.secrets.manifests()
        for service in self.services:
            out += service.manifests()
        return [*out, self.registry.manifest()]


class Tenant(PlatformComponent):
    """The Pulumi component of one tenant; its children are the spec's manifests."""

    TYPE: ClassVar[str] = "agent-platform:tenant:Tenant"
