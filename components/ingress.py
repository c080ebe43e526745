"""Ingress: one host per platform, TLS from cert-manager, HTTPS enforced."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from components.meta import AppIdentity, Manifest, object_meta
from components.resource import PlatformComponent


@dataclass(frozen=True)
class Route:
    """A path prefix served by a service's http port."""

    path: str
    service: str
    port: int


@dataclass(frozen=True)
class IngressSpec:
    """The public entry of one namespace: a host, its routes, its certificate."""

    ingress_name: str
    namespace: str
    identity: AppIdentity
    host: str
    class_name: str
    cluster_issuer: str
    ssl_redirect: bool
    routes: tuple[Route, ...]

    @property
    def name(self) -> str:
        return f"{self.namespace}/{self.ingress_name}"

    def manifests(self) -> list[Manifest]:
        """The Ingress; cert-manager's ingress-shim creates the Certificate from its annotation."""
        redirect = "true" if self.ssl_redirect else "false"
        annotations = {
            "cert-manager.io/cluster-issuer": self.cluster_issuer,
            "nginx.ingress.kubernetes.io/ssl-redirect": redirect,
            "nginx.ingress.kubernetes.io/force-ssl-redirect": redirect,
        }
        paths = [
            {
                "path": route.path,
                "pathType": "Prefix",
                "backend": {"service": {"name": route.service, "port": {"number": route.port}}},
            }
            for route in sorted(self.routes, key=lambda r: r.path)
        ]
        return [
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "metadata": object_meta(self.ingress_name, self.namespace, self.identity.labels(), annotations),
                "spec": {
                    "ingressClassName": self.class_name,
                    "tls": [{"hosts": [self.host], "secretName": f"{self.ingress_name}-tls"}],
                    "rules": [{"host": self.host, "http": {"paths": paths}}],
                },
            }
        ]


class Ingress(PlatformComponent):
    """The Pulumi component of a namespace's Ingress."""

    TYPE: ClassVar[str] = "agent-platform:ingress:Ingress"
