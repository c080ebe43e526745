"""Secrets: one ExternalSecret per secret of a namespace, never a literal Secret.

The External Secrets Operator reads each key from the secret manager through the stage's
(Cluster)SecretStore and keeps the Kubernetes Secret in sync; manifests name only where a
value lives, never the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from components.meta import AppIdentity, Manifest, object_meta
from components.resource import PlatformComponent
from model.environment import RemoteRef, SecretStore


@dataclass(frozen=True)
class SecretItem:
    """A Secret the operator maintains: its keys and where each lives in the secret manager."""

    name: str
    keys: tuple[tuple[str, RemoteRef], ...]


@dataclass(frozen=True)
class SecretsSpec:
    """The secrets of one namespace."""

    namespace: str
    identity: AppIdentity
    store: SecretStore
    refresh_interval: str
    items: tuple[SecretItem, ...]

    @property
    def name(self) -> str:
        return f"{self.namespace}-secrets"

    def manifests(self) -> list[Manifest]:
        """One ExternalSecret per item, owning the Secret it creates."""
        return [self._external_secret(item) for item in self.items]

    def _external_secret(self, item: SecretItem) -> Manifest:
        data = []
        for secret_key, ref in item.keys:
            remote = {"key": ref.key}
            if ref.property:
                remote["property"] = ref.property
            data.append({"secretKey": secret_key, "remoteRef": remote})
        return {
            "apiVersion": "external-secrets.io/v1",
            "kind": "ExternalSecret",
            "metadata": object_meta(item.name, self.namespace, self.identity.labels()),
            "spec": {
                "refreshInterval": self.refresh_interval,
                "secretStoreRef": {"name": self.store.name, "kind": self.store.kind},
                "target": {"name": item.name, "creationPolicy": "Owner", "deletionPolicy": "Retain"},
                "data": data,
            },
        }


class Secrets(PlatformComponent):
    """The Pulumi component of a namespace's ExternalSecrets."""

    TYPE: ClassVar[str] = "agent-platform:secrets:Secrets"
