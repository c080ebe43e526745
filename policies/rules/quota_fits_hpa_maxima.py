"""quota-fits-hpa-maxima: a namespace's ResourceQuota admits every workload at its most pods.

An HPA that scales into a full quota stops with FailedCreate events exactly when the load is
highest. Per namespace, each workload runs at most: its HPA's maxReplicas (an autoscaled
Deployment or StatefulSet), else spec.replicas (default 1); a CronJob one job at a time
(concurrencyPolicy Forbid) and a Job its parallelism, at the job's parallelism in pods. A pod
counts what the scheduler counts: its containers' sum, or its largest init container if that is
more, after LimitRange defaults. The sum over the namespace must fit every unscoped
ResourceQuota's hard requests.cpu, requests.memory, limits.cpu, limits.memory, cpu and memory
(meaning requests), pods and requests.nvidia.com/gpu (any requests.<resource> or
limits.<resource> but storage). DaemonSets (one pod per node) are not counted, nor are the extra
pods of a rolling update (maxSurge): leave headroom for them.

PASS:
    agent-service HPA maxReplicas 20, limits.cpu 1 per pod; ResourceQuota hard limits.cpu: "200"

FAIL:
    agent-service HPA maxReplicas 20, limits.cpu 1; task-service HPA maxReplicas 20, limits.cpu 2;
    ResourceQuota hard limits.cpu: "50"    # needs 60 at the HPA maxima
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kube.quantity import EXAMPLES, InvalidQuantity
from kube.resources import (
    container_limit_items,
    format_quantity,
    most_pods,
    namespace_or_default,
    pod_of,
    pod_resources,
    quantity,
    unscoped_quota,
    written,
)
from kube.workloads import mapping
from policies.framework import StackResource, Violation, of_kind, report, stack_manifests

ID = "quota-fits-hpa-maxima"
DESCRIPTION = "Each namespace's ResourceQuota fits all its workloads at their HPA maxima (cpu, memory, pods, GPUs)."
REMEDIATION = (
    "Raise namespace.quota (training.quota for the training namespace) in environments/<stage>.yaml to the "
    "sum at the HPA maxima, or lower the services' autoscaling.max_replicas or resources."
)
ENFORCEMENT = "mandatory"
GENERIC = "advisory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Raise the namespace's ResourceQuota (spec.hard) to the sum at the HPAs' maxReplicas, or lower "
    "maxReplicas or the containers' resources."
)
SCOPE = "stack"
OPTIONS: dict = {}

SHOWN_CONTRIBUTORS = 3


@dataclass(frozen=True)
class Demand:
    """One workload at its most pods: its name, pod count and per-pod requests and limits."""

    name: str
    pods: int
    requests: Mapping[str, Decimal]
    limits: Mapping[str, Decimal]

    def per_pod(self, side: str, resource: str) -> Decimal:
        if side == "pods":
            return Decimal(1)
        return (self.requests if side == "requests" else self.limits).get(resource, Decimal(0))


def counted(key: str) -> tuple[str, str] | None:
    """(side, resource) a quota key bounds in pods' terms, or None for keys about other objects."""
    if key == "pods":
        return "pods", "pods"
    if key in ("cpu", "memory"):
        return "requests", key
    side, _, resource = key.partition(".")
    if side in ("requests", "limits") and resource and resource != "storage":
        return side, resource
    return None


def demands(resources: list[StackResource]) -> dict[str, list[Demand]]:
    """Namespace -> each workload's pods at most and per-pod resources."""
    hpas: dict[str, list[Mapping[str, Any]]] = {}  # by namespace: a workload's HPA is in its own
    for hpa in of_kind(resources, "HorizontalPodAutoscaler"):
        hpas.setdefault(namespace_or_default(hpa.manifest), []).append(hpa.manifest)
    limit_ranges: dict[str, list[Mapping[str, Any]]] = {}
    for limit_range in of_kind(resources, "LimitRange"):
        limit_ranges.setdefault(namespace_or_default(limit_range.manifest), []).append(limit_range.manifest)
    found: dict[str, list[Demand]] = {}
    for workload in resources:
        template = pod_of(workload.manifest)
        namespace = namespace_or_default(workload.manifest)
        pods = most_pods(workload.manifest, hpas.get(namespace, ())) if template is not None else None
        if not pods:
            continue
        per_pod = pod_resources(template.spec, container_limit_items(limit_ranges.get(namespace, [])))
        name = str(mapping(workload.manifest.get("metadata")).get("name"))
        found.setdefault(namespace, []).append(Demand(name, pods, per_pod.requests, per_pod.limits))
    return found


def _contributors(workloads: list[Demand], side: str, resource: str) -> str:
    parts = sorted(
        ((w.pods * w.per_pod(side, resource), w) for w in workloads if w.per_pod(side, resource) > 0),
        key=lambda pair: (-pair[0], pair[1].name),
    )
    shown = [
        f"{w.name} {w.pods}"
        if side == "pods"
        else f"{w.name} {w.pods} x {format_quantity(w.per_pod(side, resource), resource)}"
        for _, w in parts[:SHOWN_CONTRIBUTORS]
    ]
    return ", ".join(shown + (["..."] if len(parts) > SHOWN_CONTRIBUTORS else []))


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    by_namespace = demands(resources)
    for quota in of_kind(resources, "ResourceQuota"):
        workloads = by_namespace.get(namespace_or_default(quota.manifest))
        if not workloads or not unscoped_quota(quota.manifest):
            continue
        for key, value in mapping(mapping(quota.manifest.get("spec")).get("hard")).items():
            bound = counted(str(key))
            if bound is None or value is None:
                continue
            path = f"spec.hard.{key}"
            try:
                hard = quantity(value)
            except InvalidQuantity:
                report(
                    report_violation,
                    Violation(
                        quota.title,
                        path,
                        f"{written(value)!r}, not a quantity",
                        f"a quantity, e.g. {EXAMPLES}",
                        quota.urn,
                    ),
                )
                continue
            side, resource = bound
            total = sum((w.pods * w.per_pod(side, resource) for w in workloads), Decimal(0))
            if total > hard:
                report(
                    report_violation,
                    Violation(
                        quota.title,
                        path,
                        written(value),
                        f"at least {format_quantity(total, resource)} "
                        f"(the HPA maxima: {_contributors(workloads, side, resource)})",
                        quota.urn,
                    ),
                )
