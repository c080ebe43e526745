"""Compute resources as the cluster accounts them: per container, per pod and per workload.

Containers' requests and limits are read as admission sees them: the API server defaults a
missing request to the limit, then a LimitRange fills what is still missing from its `default`
(limits) and `defaultRequest` (requests). A pod counts, for each resource, the larger of its
containers' sum (sidecars included) and its largest init container, as the scheduler and
ResourceQuota do. A workload runs at most its HPA's maxReplicas, else its replicas.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kube.quantity import InvalidQuantity, parse_quantity
from kube.workloads import (
    CONTAINER_LISTS,
    SCALABLE_KINDS,
    Container,
    PodTemplate,
    containers,
    is_list,
    namespace_of,
    number,
    pod_template,
)

SIDES = ("requests", "limits")
DEFAULT_NAMESPACE = "default"
# Resources counted in bytes, shown with binary suffixes (2Gi); every other one counts units (cpu, GPUs).
_BYTE_RESOURCES = ("memory", "ephemeral-storage", "storage")
_BINARY = (("Ei", 1024**6), ("Pi", 1024**5), ("Ti", 1024**4), ("Gi", 1024**3), ("Mi", 1024**2), ("Ki", 1024))
_DECIMAL = (("E", 10**18), ("P", 10**15), ("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3))


@dataclass
class Resources:
    """A container's (or a pod's) requests and limits, resource name -> exact amount."""

    requests: dict[str, Decimal] = field(default_factory=dict)
    limits: dict[str, Decimal] = field(default_factory=dict)

    def side(self, name: str) -> dict[str, Decimal]:
        return self.requests if name == "requests" else self.limits


def quantity(value: Any) -> Decimal:
    """The exact value of a manifest quantity ("500m", 2, Pulumi's 2.0); InvalidQuantity if none."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidQuantity(f"{value!r} is not a quantity")
    return parse_quantity(value)


def written(value: Any) -> str:
    """A quantity as the manifest writes it, unquoted (500m, 2); Pulumi's 2.0 shown as 2."""
    if isinstance(value, bool):
        return "true" if value else "false"
    as_number = number(value)
    return str(as_number) if as_number is not None else str(value)


def is_byte_resource(resource: str) -> bool:
    return resource in _BYTE_RESOURCES or resource.startswith("hugepages-")


def format_quantity(value: Decimal, resource: str) -> str:
    """An amount as people write it: 2, 1.5, 500m for units; 2Gi, 1.5Gi, 768Mi or 1G for bytes."""
    if is_byte_resource(resource) and value == value.to_integral() and value > 0:
        binary = next(
            (
                f"{_plain(value / size)}{suffix}"
                for suffix, size in _BINARY
                if value >= size and (value * 100 / size) == (value * 100 / size).to_integral()
            ),
            None,
        )
        decimal = next((f"{int(value / size)}{suffix}" for suffix, size in _DECIMAL if value % size == 0), None)
        candidates = [c for c in (binary, decimal) if c]
        if candidates:
            return min(candidates, key=len)  # the binary form on a tie
    if abs(value) < 1 and value != 0 and (value * 1000) == (value * 1000).to_integral():
        return f"{int(value * 1000)}m"
    return _plain(value)


def _plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros (2, 1.5, 0.0001)."""
    return str(int(value)) if value == value.to_integral() else format(value.normalize(), "f")


def declared(container: Mapping[str, Any]) -> Resources:
    """The requests and limits a container writes; values that are not quantities are left out."""
    found = Resources()
    resources = container.get("resources")
    if not isinstance(resources, Mapping):
        return found
    for side in SIDES:
        found.side(side).update(quantities(resources.get(side)))
    return found


def quantities(values: Any) -> dict[str, Decimal]:
    """The quantities of a resource-name -> quantity mapping; values that are not quantities are left out."""
    found = {}
    for name, value in values.items() if isinstance(values, Mapping) else ():
        try:
            found[name] = quantity(value)
        except InvalidQuantity:
            continue
    return found


def container_limit_items(limit_ranges: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The `type: Container` items of LimitRange manifests, in order."""
    items = []
    for limit_range in limit_ranges:
        spec = limit_range.get("spec")
        found = spec.get("limits") if isinstance(spec, Mapping) else None
        items += (
            [item for item in found if isinstance(item, Mapping) and item.get("type") == "Container"]
            if is_list(found)
            else []
        )
    return items


def item_defaults(item: Mapping[str, Any]) -> Resources:
    """A LimitRange item's default limits and requests after API defaulting.

    A missing default limit is the max; a missing default request is the default limit, else the min.
    """
    limits = {**quantities(item.get("max")), **quantities(item.get("default"))}
    requests = {**quantities(item.get("min")), **limits, **quantities(item.get("defaultRequest"))}
    return Resources(requests, limits)


def effective(container: Mapping[str, Any], items: Iterable[Mapping[str, Any]] = ()) -> Resources:
    """A container's requests and limits as admitted: request defaults to limit, then LimitRange defaults."""
    result = declared(container)
    for name, value in result.limits.items():
        result.requests.setdefault(name, value)
    for item in items:
        defaults = item_defaults(item)
        for side in SIDES:
            for name, value in defaults.side(side).items():
                result.side(side).setdefault(name, value)
    return result


def pod_resources(pod_spec: Mapping[str, Any], items: Iterable[Mapping[str, Any]] = ()) -> Resources:
    """What one pod counts against the scheduler and a ResourceQuota, requests and limits alike.

    Per resource: max(regular containers + sidecars, each init container + the sidecars started
    before it); ephemeral containers have no resources.
    """
    items = list(items)
    pod = Resources()
    for side in SIDES:
        running: dict[str, Decimal] = {}
        sidecars: dict[str, Decimal] = {}
        init_peak: dict[str, Decimal] = {}
        for init in _containers(pod_spec, "initContainers"):
            amounts = effective(init, items).side(side)
            if init.get("restartPolicy") == "Always":  # a sidecar runs beside the regular containers
                for name, value in amounts.items():
                    sidecars[name] = sidecars.get(name, Decimal(0)) + value
                    init_peak[name] = max(init_peak.get(name, Decimal(0)), sidecars[name])
            else:
                for name in set(amounts) | set(sidecars):
                    total = amounts.get(name, Decimal(0)) + sidecars.get(name, Decimal(0))
                    init_peak[name] = max(init_peak.get(name, Decimal(0)), total)
        for regular in _containers(pod_spec, "containers"):
            for name, value in effective(regular, items).side(side).items():
                running[name] = running.get(name, Decimal(0)) + value
        for name, value in sidecars.items():
            running[name] = running.get(name, Decimal(0)) + value
        for name in set(running) | set(init_peak):
            pod.side(side)[name] = max(running.get(name, Decimal(0)), init_peak.get(name, Decimal(0)))
    return pod


def _containers(pod_spec: Mapping[str, Any], list_name: str) -> list[Mapping[str, Any]]:
    found = pod_spec.get(list_name)
    return [c for c in found if isinstance(c, Mapping)] if is_list(found) else []


def pod_of(manifest: Any) -> PodTemplate | None:
    """The pod template of a workload, or None for other kinds and for pod specs that are not mappings."""
    if not isinstance(manifest, Mapping):
        return None
    try:
        template = pod_template(manifest)
    except (AttributeError, TypeError):  # a metadata or template that is not a mapping
        return None
    return template if template is not None and isinstance(template.spec, Mapping) else None


def containers_of(template: PodTemplate, lists: tuple[str, ...] = CONTAINER_LISTS) -> list[Container]:
    """The pod's containers of the given lists; a list or item of the wrong type counts as empty."""
    spec = dict(template.spec)
    for list_name in CONTAINER_LISTS:
        items = spec.get(list_name)
        spec[list_name] = [c if isinstance(c, Mapping) else {} for c in items] if is_list(items) else []
    sane = PodTemplate(template.path, spec, template.labels, template.annotations)
    return [c for c in containers(sane) if c.list_name in lists]


def unscoped_quota(quota: Mapping[str, Any]) -> bool:
    """Whether a ResourceQuota bounds every pod of its namespace (no scopes, no scopeSelector)."""
    spec = quota.get("spec") if isinstance(quota.get("spec"), Mapping) else {}
    selector = spec.get("scopeSelector") if isinstance(spec.get("scopeSelector"), Mapping) else {}
    return not spec.get("scopes") and not selector.get("matchExpressions")


def namespace_or_default(manifest: Mapping[str, Any]) -> str:
    """The namespace a namespaced object lands in: its own, else `default`."""
    return namespace_of(manifest) or DEFAULT_NAMESPACE


def autoscaler_of(workload: Mapping[str, Any], hpas: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The HorizontalPodAutoscaler whose scaleTargetRef is this workload, if any."""
    name = (workload.get("metadata") or {}).get("name")
    for hpa in hpas:
        target = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
        if (
            namespace_or_default(hpa) == namespace_or_default(workload)
            and target.get("kind") == workload.get("kind")
            and target.get("name") == name
        ):
            return hpa
    return None


def most_pods(workload: Mapping[str, Any], hpas: Iterable[Mapping[str, Any]] = ()) -> int | None:
    """The most pods a workload runs at once, or None when the manifests cannot tell (DaemonSet).

    An autoscaled workload: its HPA's maxReplicas; another scalable one: spec.replicas (default 1);
    a Pod: 1; a Job: its parallelism (default 1, at most its completions); a CronJob: its job's
    parallelism (one job at a time, as with concurrencyPolicy Forbid); a PodTemplate: 0.
    """
    kind = workload.get("kind")
    spec = workload.get("spec") if isinstance(workload.get("spec"), Mapping) else {}
    if kind in SCALABLE_KINDS:
        hpa = autoscaler_of(workload, hpas)
        if hpa is not None:
            maximum = number((hpa.get("spec") or {}).get("maxReplicas"))
            if maximum is not None:
                return int(maximum)
        replicas = number(spec.get("replicas", 1))
        return 1 if replicas is None else int(replicas)
    if kind == "Pod":
        return 1
    if kind == "Job":
        return _job_pods(spec)
    if kind == "CronJob":
        job_template = spec.get("jobTemplate") if isinstance(spec.get("jobTemplate"), Mapping) else {}
        return _job_pods(job_template.get("spec") if isinstance(job_template.get("spec"), Mapping) else {})
    if kind == "PodTemplate":
        return 0
    return None


def _job_pods(job_spec: Mapping[str, Any]) -> int:
    parallelism = number(job_spec.get("parallelism", 1))
    pods = 1 if parallelism is None else int(parallelism)
    completions = number(job_spec.get("completions"))
    return min(pods, int(completions)) if completions is not None else pods
