"""min-replicas: every Deployment and StatefulSet runs at least the stage's minimum number of pods.

The fewest pods a workload runs is its HorizontalPodAutoscaler's minReplicas (default 1) when an
HPA in its namespace targets it (scaleTargetRef kind and name), else its spec.replicas (default
1). Below the stage's `min_replicas` the workload has a single point of failure: the reference
architecture runs monitoring-service with 1 replica, which prod (min_replicas 2) must not allow.
The violation points at the field that decides: the HPA's spec.minReplicas, or spec.replicas.
A workload deliberately stopped (replicas 0 and the annotation agent-platform.io/stopped: "true",
which `pipeline stop` sets) runs nothing and is exempt.

PASS (min_replicas: 2):
    kind: HorizontalPodAutoscaler
    spec: {scaleTargetRef: {kind: Deployment, name: monitoring-service}, minReplicas: 2}

FAIL (min_replicas: 2):
    kind: Deployment
    metadata: {name: monitoring-service}
    spec: {replicas: 1}          # no HPA: one pod
"""

from __future__ import annotations

from kube.lifecycle import stopped
from kube.workloads import mapping, namespace_of, number
from policies.framework import StackResource, Violation, by_namespace, of_kind, option, report, shown, stack_manifests

ID = "min-replicas"
DESCRIPTION = (
    "Every Deployment and StatefulSet runs at least the stage's minimum replicas "
    "(its HPA's minimum, else spec.replicas)."
)
REMEDIATION = (
    "Raise services.<name>.autoscaling.min_replicas (or services.<name>.replicas where autoscaling is off; "
    "training.services.<name>.replicas for the training platform) in the stage file to at least policy.min_replicas."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "stack"
OPTIONS = {
    "min_replicas": {
        "type": "integer",
        "minimum": 1,
        "default": 1,
        "description": "the fewest pods every Deployment and StatefulSet must run (policy.min_replicas)",
    }
}


def targets(hpa: StackResource, workload: StackResource) -> bool:
    """Whether an HPA scales this workload (same namespace, scaleTargetRef kind and name)."""
    ref = mapping(mapping(hpa.manifest.get("spec")).get("scaleTargetRef"))
    return (
        namespace_of(hpa.manifest) == namespace_of(workload.manifest)
        and ref.get("kind") == workload.kind
        and ref.get("name") == mapping(workload.manifest.get("metadata")).get("name")
    )


def _count(raw) -> tuple[int | float, str]:
    """A replica count with the API's default of 1, and how to show it."""
    value = number(raw)
    if raw is None:
        return 1, "not set (1)"
    return (1, f"{shown(raw)} (read as 1)") if value is None else (value, shown(raw))


def validate(args, report_violation) -> None:
    minimum = number(option(args, "min_replicas", 1)) or 1
    expected = f"at least {minimum} (policy.min_replicas)" + (
        ", as one pod is a single point of failure" if minimum > 1 else ""
    )
    resources = stack_manifests(args)
    hpas = by_namespace(of_kind(resources, "HorizontalPodAutoscaler"))
    for workload in of_kind(resources, "Deployment", "StatefulSet"):
        if stopped(workload.manifest):
            continue  # deliberately at zero (pipeline stop): no pod, so no single point of failure
        scaling = [hpa for hpa in hpas.get(namespace_of(workload.manifest), ()) if targets(hpa, workload)]
        for hpa in scaling:
            fewest, observed = _count(mapping(hpa.manifest.get("spec")).get("minReplicas"))
            if fewest < minimum:
                report(
                    report_violation,
                    Violation(
                        hpa.title,
                        "spec.minReplicas",
                        f"{observed}, the fewest pods of {workload.title}",
                        expected,
                        hpa.urn,
                    ),
                )
        if not scaling:
            fewest, observed = _count(mapping(workload.manifest.get("spec")).get("replicas"))
            if fewest < minimum:
                report(report_violation, Violation(workload.title, "spec.replicas", observed, expected, workload.urn))
