"""Where in the stage files a rendered field comes from, so reports can point at the setting.

A finding names a rendered object and a field; this maps it back to the stage file key that
set it (e.g. a Deployment's readinessProbe -> pod.probes.readiness in defaults.yaml, an HPA's
maxReplicas -> services.agent-service.autoscaling.max_replicas in prod.yaml), using the
environment's source map. Best effort: when no rule matches, the owning service or section.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.environment import Environment
from model.errors import Location
from model.source import KeyPath

_PROBES = {"livenessProbe": "liveness", "readinessProbe": "readiness", "startupProbe": "startup"}


def locate(env: Environment, manifest: Mapping[str, Any] | None, field_path: str) -> tuple[Location, str] | None:
    """(position, key path) of the stage setting behind a rendered field, or None."""
    if env.source is None or manifest is None:
        return None
    for candidate in _candidates(env, manifest, field_path):
        if candidate in env.source.positions:
            return env.source.positions[candidate], _dotted(candidate)
    return None


def _dotted(path: KeyPath) -> str:
    return ".".join(str(p) for p in path)


def _candidates(env: Environment, manifest: Mapping[str, Any], field: str) -> list[KeyPath]:
    kind = manifest.get("kind", "")
    meta = manifest.get("metadata") or {}
    labels = meta.get("labels") or {}
    name = labels.get("app.kubernetes.io/name", meta.get("name", ""))
    training = meta.get("namespace") == env.training_namespace_name or (
        kind in ("Namespace", "PriorityClass") and meta.get("name", "").startswith(env.training_namespace_name)
    )
    family: KeyPath = ("training",) if training else ()
    services = {s.name for s in (env.training.services if training else env.services)}
    if name in services:
        return _service_candidates(family, name, kind, field)
    if labels.get("app.kubernetes.io/component") == "backup" or kind == "CronJob":
        return [("backup", "schedule") if "schedule" in field else ("backup",)]
    if kind == "ResourceQuota":
        if meta.get("name") == "training-jobs":
            return [("training", "concurrent_jobs"), ("training", "job")]
        key = field.rsplit(".", 1)[-1] if field.startswith("spec.hard.") else ""
        base = ("training", "quota") if training else ("namespace", "quota")
        return [base + (key,), base] if key else [base]
    if kind == "LimitRange":
        return [("training", "limit_range") if training else ("namespace", "limit_range")]
    if kind == "PriorityClass":
        return [("training", "concurrent_jobs")]
    if kind == "Ingress":
        return [("ingress", "training_host" if training else "platform_host"), ("ingress",)]
    if kind == "ExternalSecret":
        return [("secrets", "items", meta.get("name", "")), ("postgres", "credentials_remote_key"), ("secrets",)]
    if kind == "PrometheusRule":
        return [("training", "thresholds") if training else ("monitoring", "thresholds")]
    if kind == "Namespace":
        return [("platform", "pod_security")]
    if kind == "NetworkPolicy":
        return [("network",)]
    return [family + ("services",)] if family else []


def _service_candidates(family: KeyPath, service: str, kind: str, field: str) -> list[KeyPath]:
    own: KeyPath = family + ("services", service)
    shared: list[KeyPath] = (
        [family + ("service_defaults",), ("service_defaults",)] if family else [("service_defaults",)]
    )

    def setting(*keys: str) -> list[KeyPath]:
        return [own + keys] + [base + keys for base in shared]

    if kind == "HorizontalPodAutoscaler":
        if "behavior" in field:
            return setting("autoscaling", "behavior") + [own]
        bound = "max_replicas" if "maxReplicas" in field else "min_replicas"
        return setting("autoscaling", bound) + setting("autoscaling") + [own]
    if kind == "PodDisruptionBudget":
        return setting("pdb") + [own]
    if kind == "VerticalPodAutoscaler":
        return setting("vpa") + [own]
    if kind == "NetworkPolicy":
        return [own + ("egress",), own + ("calls",), ("network",), own]
    if ".image" in field:
        return [("release", "images", service), own]
    for probe, key in _PROBES.items():
        if probe in field:
            return [("pod", "probes", key), ("pod",)]
    if "resources" in field:
        return setting("resources") + [own]
    if "lifecycle" in field:
        return [("pod", "pre_stop_sleep_seconds"), ("pod",)]
    if "terminationGracePeriodSeconds" in field:
        return [("pod", "termination_grace_period_seconds"), ("pod",)]
    if "securityContext" in field:
        return [("pod",)]
    if "affinity" in field or "topologySpread" in field:
        return [("availability",)]
    if field in ("", "spec.replicas"):
        return setting("replicas") + setting("autoscaling", "min_replicas") + [own]
    return [own]
