"""limit-range-ratio: every container fits its namespace's LimitRange, or the API server rejects its pods.

The LimitRange admission plugin checks each pod as it is created, not the Deployment: a
Deployment whose limit is 8x its request is accepted, and then none of its pods is. For each
LimitRange item of type Container, each container (init containers included) must keep
limit/request at most maxLimitRequestRatio, its limits at most max and its requests at least min,
after the defaulting admission applies (a missing request is the limit, then the LimitRange's
defaultRequest; a missing limit is its default). Namespaces without a LimitRange are skipped
(namespace-guardrails reports them).

PASS (LimitRange maxLimitRequestRatio: {cpu: "4"}, max: {memory: 8Gi}):
    resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: "2", memory: 2Gi}}

FAIL (same LimitRange):
    resources: {requests: {cpu: 250m, memory: 1Gi}, limits: {cpu: "2", memory: 16Gi}}
    # cpu limit 8x the request; memory limit over the max
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from kube.resources import (
    container_limit_items,
    containers_of,
    effective,
    format_quantity,
    namespace_or_default,
    pod_of,
    quantities,
    written,
)
from policies.framework import StackResource, Violation, of_kind, report, stack_manifests

ID = "limit-range-ratio"
DESCRIPTION = "Every container's limits, requests and limit/request ratio are within its namespace's LimitRange."
REMEDIATION = (
    "Bring the service's resources (services.<name>.resources in the stage file) within "
    "namespace.limit_range (max, min, max_limit_request_ratio), or change the limit range itself."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Bring the container's resources within the namespace's LimitRange (max, min, maxLimitRequestRatio), "
    "or change the LimitRange itself; the API server rejects pods outside it."
)
SCOPE = "stack"
OPTIONS: dict = {}


def _ratio(value: Decimal) -> str:
    rounded = value.quantize(Decimal("0.01")).normalize()
    return format(rounded, "f") if rounded != rounded.to_integral() else str(int(rounded))


def _shown(container: Mapping[str, Any], side: str, resource: str, amount: Decimal | None) -> tuple[str, str]:
    """The value as written (or defaulted), and a note saying where a defaulted one comes from."""
    resources = container.get("resources") if isinstance(container.get("resources"), Mapping) else {}
    declared = resources.get(side) if isinstance(resources.get(side), Mapping) else {}
    if resource in declared:
        return written(declared[resource]), ""
    if amount is None:
        return "not set", ""
    return format_quantity(amount, resource), "defaulted"


def _text(shown: tuple[str, str], *notes: str) -> str:
    """'2' or '2 (defaulted; 8 x the request 250m)'."""
    notes = tuple(n for n in (shown[1], *notes) if n)
    return f"{shown[0]} ({'; '.join(notes)})" if notes else shown[0]


def _check(workload: StackResource, container, items, limit_range: StackResource, item) -> list[Violation]:
    """The violations of one container against one LimitRange item (its resources defaulted by all items)."""
    spec, found = container.spec, effective(container.spec, items)
    source = f"{limit_range.title} spec.limits[Container]"
    out = []

    def violation(side: str, resource: str, observed: str, expected: str) -> None:
        out.append(
            Violation(workload.title, f"{container.path}.resources.{side}.{resource}", observed, expected, workload.urn)
        )

    for resource, maximum in quantities(item.get("max")).items():
        limit = found.limits.get(resource)
        if limit is None or limit > maximum:
            violation(
                "limits",
                resource,
                _text(_shown(spec, "limits", resource, limit)),
                f"at most {format_quantity(maximum, resource)} ({source}.max.{resource})",
            )
    for resource, minimum in quantities(item.get("min")).items():
        request = found.requests.get(resource)
        if request is None or request < minimum:
            violation(
                "requests",
                resource,
                _text(_shown(spec, "requests", resource, request)),
                f"at least {format_quantity(minimum, resource)} ({source}.min.{resource})",
            )
    for resource, ratio in quantities(item.get("maxLimitRequestRatio")).items():
        request, limit = found.requests.get(resource), found.limits.get(resource)
        expected = f"at most {_ratio(ratio)} x the request ({source}.maxLimitRequestRatio.{resource})"
        if request is None or request == 0:
            violation(
                "requests",
                resource,
                _text(_shown(spec, "requests", resource, request), "so no ratio"),
                f"set, with the limit {expected}",
            )
        elif limit is None:
            violation("limits", resource, "not set", expected)
        elif limit / request > ratio:
            request_text = _text(_shown(spec, "requests", resource, request))
            violation(
                "limits",
                resource,
                _text(
                    _shown(spec, "limits", resource, limit), f"{_ratio(limit / request)} x the request {request_text}"
                ),
                expected,
            )
    return out


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    by_namespace: dict[str, list[StackResource]] = {}
    for limit_range in of_kind(resources, "LimitRange"):
        by_namespace.setdefault(namespace_or_default(limit_range.manifest), []).append(limit_range)
    for workload in resources:
        template = pod_of(workload.manifest)
        limit_ranges = by_namespace.get(namespace_or_default(workload.manifest))
        if template is None or not limit_ranges:
            continue
        items = container_limit_items(lr.manifest for lr in limit_ranges)
        for container in containers_of(template, ("initContainers", "containers")):
            for limit_range in limit_ranges:
                for item in container_limit_items([limit_range.manifest]):
                    for violation in _check(workload, container, items, limit_range, item):
                        report(report_violation, violation)
