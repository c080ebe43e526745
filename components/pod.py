"""Pod-template building blocks shared by every workload: security, probes, placement."""

from __future__ import annotations

from typing import Any

from model.environment import Availability, PodSettings, Probe

HOSTNAME_KEY = "kubernetes.io/hostname"
ZONE_KEY = "topology.kubernetes.io/zone"


def pod_security_context(pod: PodSettings) -> dict[str, Any]:
    """The restricted Pod Security Standard plus the platform's fixed identity."""
    return {
        "runAsNonRoot": True,
        "runAsUser": pod.run_as_user,
        "runAsGroup": pod.run_as_group,
        "fsGroup": pod.fs_group,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security_context() -> dict[str, Any]:
    """No privilege, no capabilities, read-only root: what every container runs with."""
    return {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def http_probe(probe: Probe, port: str = "http") -> dict[str, Any]:
    """An HTTP GET probe on a named container port."""
    return {
        "httpGet": {"path": probe.path, "port": port, "scheme": "HTTP"},
        "initialDelaySeconds": probe.initial_delay_seconds,
        "periodSeconds": probe.period_seconds,
        "timeoutSeconds": probe.timeout_seconds,
        "failureThreshold": probe.failure_threshold,
        "successThreshold": 1,
    }


def tmp_volume(pod: PodSettings) -> tuple[dict[str, Any], dict[str, Any]]:
    """A size-capped writable /tmp (volume, mount) beside the read-only root filesystem."""
    return ({"name": "tmp", "emptyDir": {"sizeLimit": pod.tmp_size}}, {"name": "tmp", "mountPath": "/tmp"})


def placement(selector: dict[str, str], availability: Availability) -> dict[str, Any]:
    """affinity and topologySpreadConstraints of a pod spec for the stage's availability.

    Hostname anti-affinity keeps replicas on different nodes; zone spread keeps them balanced
    over the listed zones (maxSkew 1), and node affinity keeps them inside those zones.
    """
    spec: dict[str, Any] = {}
    affinity: dict[str, Any] = {}
    term = {"labelSelector": {"matchLabels": dict(selector)}, "topologyKey": HOSTNAME_KEY}
    if availability.anti_affinity == "required":
        affinity["podAntiAffinity"] = {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
    elif availability.anti_affinity == "preferred":
        affinity["podAntiAffinity"] = {
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": term}]
        }
    if availability.zones:
        affinity["nodeAffinity"] = {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": ZONE_KEY, "operator": "In", "values": list(availability.zones)}]}
                ]
            }
        }
    if affinity:
        spec["affinity"] = affinity
    if availability.zone_spread != "none":
        constraint: dict[str, Any] = {
            "maxSkew": 1,
            "topologyKey": ZONE_KEY,
            "whenUnsatisfiable": availability.zone_spread,
            "labelSelector": {"matchLabels": dict(selector)},
        }
        if availability.zone_spread == "DoNotSchedule" and availability.zones:
            # Counts empty zones as domains, so losing a zone's nodes cannot pile pods elsewhere.
            constraint["minDomains"] = len(availability.zones)
        spec["topologySpreadConstraints"] = [constraint]
    return spec
