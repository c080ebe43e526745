"""PlatformNamespace: a namespace with Pod Security labels, quota, limits and default deny.

Namespace (Pod Security Standards enforce/audit/warn labels), ResourceQuota, LimitRange, a
default-deny NetworkPolicy for both directions, and a namespace-wide DNS egress allowance so
that every pod, jobs included, can resolve names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from components.meta import AppIdentity, Manifest, object_meta
from components.network import dns_egress, network_policy
from components.resource import PlatformComponent
from model.environment import Dns, LimitRangeSettings

POD_SECURITY_LABEL = "pod-security.kubernetes.io"


@dataclass(frozen=True)
class PlatformNamespaceSpec:
    """A namespace of the platform and its guard rails."""

    namespace: str
    identity: AppIdentity
    pod_security: str  # privileged | baseline | restricted
    pod_security_version: str  # latest | v1.<minor>
    quota: Mapping[str, str]
    limit_range: LimitRangeSettings
    dns: Dns

    @property
    def name(self) -> str:
        return self.namespace

    def manifests(self) -> list[Manifest]:
        """Namespace, ResourceQuota, LimitRange, default-deny and DNS NetworkPolicies.

        A tenant's namespace carries the tenant label (identity.tenant): what the diff, the
        --tenant filters and the tenant-isolation rule read tenancy from.
        """
        labels = self.identity.labels()
        modes = ("enforce", "audit", "warn")
        security = {f"{POD_SECURITY_LABEL}/{mode}": self.pod_security for mode in modes}
        security.update({f"{POD_SECURITY_LABEL}/{mode}-version": self.pod_security_version for mode in modes})
        return [
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": object_meta(self.namespace, None, {**labels, **security}),
            },
            {
                "apiVersion": "v1",
                "kind": "ResourceQuota",
                "metadata": object_meta("quota", self.namespace, labels),
                "spec": {"hard": {name: str(value) for name, value in sorted(self.quota.items())}},
            },
            {
                "apiVersion": "v1",
                "kind": "LimitRange",
                "metadata": object_meta("limits", self.namespace, labels),
                "spec": {"limits": [self._container_limits()]},
            },
            network_policy("default-deny", self.namespace, labels, {}, [], []),
            network_policy("allow-dns", self.namespace, labels, {}, None, [dns_egress(self.dns)]),
        ]

    def _container_limits(self) -> dict[str, Any]:
        limits: dict[str, Any] = {"type": "Container"}
        fields = (
            ("default", "default"),
            ("default_request", "defaultRequest"),
            ("min", "min"),
            ("max", "max"),
            ("max_limit_request_ratio", "maxLimitRequestRatio"),
        )
        for attribute, key in fields:
            amounts = getattr(self.limit_range, attribute)
            if amounts is not None and amounts.as_dict():
                limits[key] = amounts.as_dict()
        return limits


class PlatformNamespace(PlatformComponent):
    """The Pulumi component of a namespace and its guard rails."""

    TYPE: ClassVar[str] = "agent-platform:platform_namespace:PlatformNamespace"
