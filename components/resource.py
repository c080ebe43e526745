"""The Pulumi side of a component: a ComponentResource that registers the spec's manifests."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Protocol

import pulumi

from components.meta import Manifest
from kube.workloads import title


class ComponentSpec(Protocol):
    """What every component family's frozen spec provides."""

    @property
    def name(self) -> str: ...

    def manifests(self) -> list[Manifest]: ...


# Registers one manifest as a Pulumi resource; stacks/kubernetes_adapter.py provides it, so no
# component imports pulumi_kubernetes.
RegisterManifest = Callable[[Manifest, pulumi.ResourceOptions], pulumi.Resource]


class PlatformComponent(pulumi.ComponentResource):
    """Base of every family's ComponentResource: children are the spec's manifests, parent=self."""

    TYPE: ClassVar[str]  # agent-platform:<module>:<Type>

    def __init__(self, spec: ComponentSpec, register: RegisterManifest, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE, spec.name, None, opts)
        manifests = spec.manifests()
        children = pulumi.ResourceOptions(parent=self)
        self.children = [register(manifest, children) for manifest in manifests]
        self.register_outputs({"resources": [title(manifest) for manifest in manifests]})
