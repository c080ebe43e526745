"""Inputs the pod-security rules must read as `pipeline check` and `pulumi preview` hand them over:
manifests of unsound shape, and manifests in the shape the Pulumi engine delivers."""

from __future__ import annotations

from typing import Any

from pulumi_policy.proxy import unknown_checking_proxy

META = {"name": "odd", "namespace": "agent-platform-prod"}


def as_pulumi(manifests: list[dict[str, Any]]) -> list[Any]:
    """The manifests as a rule sees them under `pulumi preview --policy-pack`: every number a double, every
    map and list wrapped in pulumi_policy's read-only proxies (a list arrives as a Sequence, not a list)."""
    return [unknown_checking_proxy(_doubles(manifest)) for manifest in manifests]


def _doubles(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {key: _doubles(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_doubles(item) for item in value]
    return value


def odd_pod_manifests() -> list[dict[str, Any]]:
    """Well-formed YAML, unsound Kubernetes: pod specs, security contexts, lists and maps of the wrong type
    at every level the pod-security rules read (the schema check reports them; the rules must not crash)."""
    odd_context = {
        "windowsOptions": "yes",
        "capabilities": ["ALL"],
        "seLinuxOptions": [],
        "seccompProfile": "x",
        "appArmorProfile": "Unconfined",
        "sysctls": {"net.core.somaxconn": "1"},
        "runAsUser": "root",
    }
    odd_container = {
        "name": {"not": "a string"},
        "securityContext": odd_context,
        "ports": {"http": 8080},
        "livenessProbe": ["httpGet"],
        "lifecycle": "preStop",
        "readinessProbe": {"httpGet": "x"},
    }
    odd_spec = {
        "securityContext": odd_context,
        "volumes": [None, "tmp", {"name": "v", "hostPath": "/x"}],
        "containers": [None, "agent", 3, odd_container, {"securityContext": None, "ports": [None, 8080]}],
        "initContainers": {"name": "init"},
        "ephemeralContainers": "debug",
        "os": "windows",
        "serviceAccountName": ["default"],
        "automountServiceAccountToken": "no",
    }
    return [
        {"apiVersion": "v1", "kind": "Pod", "metadata": META, "spec": "not a map"},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {**META, "name": "odd-list"}, "spec": ["containers"]},
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {**META, "name": "odd-spec", "annotations": ["a"]},
            "spec": odd_spec,
        },
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": META, "spec": {"template": "x"}},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": META, "spec": {"template": {"spec": None}}},
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": META,
            "spec": {"template": {"metadata": ["labels"], "spec": {"containers": [{"name": "a"}]}}},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": META,
            "spec": {"template": {"metadata": {"annotations": "x", "labels": []}, "spec": odd_spec}},
        },
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": META,
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": "agent", "volumes": "tmp"}}}}},
        },
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": META, "spec": None},
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {**META, "name": "default"},
            "automountServiceAccountToken": "false",
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": META,
            "subjects": [None, "default", {"kind": "ServiceAccount", "name": ["odd"]}],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "odd"},
            "subjects": {"kind": "ServiceAccount", "name": "odd"},
        },
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": META, "data": ["not", "a", "map"]},
    ]
