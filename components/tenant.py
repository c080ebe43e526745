"""Tenant: a dedicated tenant of a stage in a namespace of its own.

The tenant's namespace (Pod Security, the tenant label), a ResourceQuota and LimitRange sized
from its plan, default deny plus DNS, the ExternalSecrets its services read (database
credentials of its own, references only), and its own instances of the agent-platform services
the plan lists, each with its HPA, PDB, ServiceAccount, ConfigMap and NetworkPolicy. The
services share the platform's databases (backed up by the platform's CronJobs) through the
tenant's credentials; nothing admits another tenant's pods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from components.agent_service import AgentServiceSpec
from components.meta import Manifest
from components.platform_namespace import PlatformNamespaceSpec
from components.resource import PlatformComponent
from components.secrets import SecretsSpec


@dataclass(frozen=True)
class TenantSpec:
    """One tenant of a stage, composed of the namespace, secrets and service families' specs."""

    tenant: str
    namespace: PlatformNamespaceSpec
    secrets: SecretsSpec
    services: tuple[AgentServiceSpec, ...]

    @property
    def name(self) -> str:
        return self.namespace.namespace

    def manifests(self) -> list[Manifest]:
        """Namespace and guard rails, secrets, then each service's objects."""
        out = self.namespace.manifests() + self.secrets.manifests()
        for service in self.services:
            out += service.manifests()
        return out


class Tenant(PlatformComponent):
    """The Pulumi component of one tenant; its children are the spec's manifests."""

    TYPE: ClassVar[str] = "agent-platform:tenant:Tenant"
