"""container-resources: every container requests and limits CPU and memory, within its limits.

Without requests the scheduler packs pods blind and the HPA cannot compute utilisation; without
limits one pod can starve its node. Every container (init containers included; ephemeral
containers cannot have resources) sets requests and limits for cpu and memory, each a valid
Kubernetes quantity, with each request at most its limit.

PASS:
    resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: "1", memory: 2Gi}}

FAIL:
    resources: {requests: {cpu: 500m}, limits: {cpu: 250m, memory: 2GB}}
    # memory request not set, cpu request above its limit, 2GB is not a quantity (2G or 2Gi)
"""

from __future__ import annotations

from typing import Any

from kube.quantity import EXAMPLES, InvalidQuantity
from kube.resources import SIDES, containers_of, pod_of, quantity, written
from kube.workloads import mapping, title
from policies.framework import Violation, manifest_of, report

ID = "container-resources"
DESCRIPTION = (
    "Every container sets cpu and memory requests and limits as valid quantities, each request within its limit."
)
REMEDIATION = (
    "Set resources.requests and resources.limits (cpu and memory) for the service in the stage file "
    "(services.<name>.resources or service_defaults.resources), each request at most its limit."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Set resources.requests and resources.limits (cpu and memory) on every container, init containers "
    "included, each request at most its limit."
)
SCOPE = "resource"
OPTIONS: dict = {}

RESOURCES = ("cpu", "memory")


def _problem(value: Any) -> str | None:
    """Why a resource value is not usable ("not set", not a quantity, negative), or None."""
    if value is None:
        return "not set"
    try:
        amount = quantity(value)
    except InvalidQuantity:
        return f"{written(value)!r}, not a quantity"
    return f"{written(value)}, negative" if amount < 0 else None


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    template = pod_of(manifest)
    if template is None:
        return
    for container in containers_of(template, ("initContainers", "containers")):
        resources = mapping(container.spec.get("resources"))
        for side in SIDES:
            for resource in RESOURCES:
                problem = _problem(mapping(resources.get(side)).get(resource))
                if problem:
                    report(
                        report_violation,
                        Violation(
                            title(manifest),
                            f"{container.path}.resources.{side}.{resource}",
                            problem,
                            f"a non-negative quantity, e.g. {EXAMPLES}",
                            args.urn,
                        ),
                    )
        for resource in RESOURCES:
            request = mapping(resources.get("requests")).get(resource)
            limit = mapping(resources.get("limits")).get(resource)
            if _problem(request) is None and _problem(limit) is None and quantity(request) > quantity(limit):
                report(
                    report_violation,
                    Violation(
                        title(manifest),
                        f"{container.path}.resources.requests.{resource}",
                        written(request),
                        f"at most the limit {written(limit)}",
                        args.urn,
                    ),
                )
