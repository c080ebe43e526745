"""Manifest dict -> pulumi_kubernetes resource: the only module that imports pulumi_kubernetes.

Built-in kinds get their typed class (so Pulumi knows their schema, await logic and
replacement rules); anything else is a CustomResource. Fields pass through unchanged, the way
pulumi_kubernetes' own YAML support passes them.
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from kube.identity import pulumi_name, split_api_version

# API groups served by Kubernetes itself -> the pulumi_kubernetes module of each. Groups under
# k8s.io that are CRDs (autoscaling.k8s.io for the VPA, gateway.networking.k8s.io, ...) are absent.
BUILTIN_GROUPS = {
    "": "core",
    "apps": "apps",
    "batch": "batch",
    "autoscaling": "autoscaling",
    "policy": "policy",
    "networking.k8s.io": "networking",
    "rbac.authorization.k8s.io": "rbac",
    "storage.k8s.io": "storage",
    "scheduling.k8s.io": "scheduling",
    "coordination.k8s.io": "coordination",
    "discovery.k8s.io": "discovery",
    "node.k8s.io": "node",
    "certificates.k8s.io": "certificates",
    "events.k8s.io": "events",
    "apiextensions.k8s.io": "apiextensions",
    "admissionregistration.k8s.io": "admissionregistration",
    "flowcontrol.apiserver.k8s.io": "flowcontrol",
    "resource.k8s.io": "resource",
}


@cache
def builtin_class(api_version: str, kind: str) -> type | None:
    """The pulumi_kubernetes class of a built-in kind, or None for a custom resource."""
    group, version = split_api_version(api_version)
    module_name = BUILTIN_GROUPS.get(group)
    if module_name is None:
        return None
    try:
        module = importlib.import_module(f"pulumi_kubernetes.{module_name}.{version}")
    except ImportError:
        return None
    return getattr(module, kind, None)


def _python_name(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def register_manifest(manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
    """Register one manifest with Pulumi under its namespace/name."""
    api_version, kind = manifest["apiVersion"], manifest["kind"]
    fields = {key: value for key, value in manifest.items() if key not in ("apiVersion", "kind")}
    name = pulumi_name(manifest)
    cls = builtin_class(api_version, kind)
    if cls is None:
        return k8s.apiextensions.CustomResource(
            name,
            api_version=api_version,
            kind=kind,
            opts=opts,
            metadata=fields.pop("metadata"),
            spec=fields.pop("spec", None),
        )
    # Top-level fields become keyword arguments (automountServiceAccountToken ->
    # automount_service_account_token); nested dicts stay as written, camelCase included.
    return cls(name, opts=opts, **{_python_name(key): value for key, value in fields.items()})
