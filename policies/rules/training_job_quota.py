"""training-job-quota: the training namespace admits exactly the stage's concurrent training jobs.

Training jobs run at their own PriorityClass; a ResourceQuota scoped to that class (scopeSelector
PriorityClass In [...]) is what holds them to the stage's `training.concurrent_jobs`: its hard
`pods` must be exactly concurrent_jobs and its `requests.nvidia.com/gpu` exactly concurrent_jobs x
gpus_per_job. Fewer starves the platform's promised concurrency; more (or no bound, which is
unlimited) lets jobs take GPUs the stage never budgeted. A training namespace without such a
quota fails. Nothing is checked when the stage has no training namespace or the manifests do
not contain it.

PASS (training_namespace: model-training-prod, concurrent_jobs: 10, gpus_per_job: 1):
    kind: ResourceQuota
    metadata: {name: training-jobs, namespace: model-training-prod}
    spec:
      hard: {pods: "10", requests.nvidia.com/gpu: "10"}
      scopeSelector: {matchExpressions: [{scopeName: PriorityClass, operator: In, values: [model-training-prod-jobs]}]}

FAIL (same options):
    spec:
      hard: {pods: "20"}          # 20 jobs, GPUs unlimited
      scopeSelector: {matchExpressions: [{scopeName: PriorityClass, operator: In, values: [model-training-prod-jobs]}]}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.quantity import InvalidQuantity
from kube.resources import namespace_or_default, quantity, written
from kube.workloads import is_list, mapping, number
from policies.framework import StackResource, Violation, of_kind, option, report, stack_manifests

ID = "training-job-quota"
DESCRIPTION = (
    "The training namespace has a PriorityClass-scoped ResourceQuota admitting exactly the stage's "
    "concurrent jobs and their GPUs."
)
REMEDIATION = (
    "Set training.concurrent_jobs and training.job.gpus in the stage file and render again: the training "
    "platform's quota training-jobs is derived from them (do not edit the rendered quota)."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "stack"
OPTIONS = {
    "training_namespace": {
        "type": "string",
        "default": "",
        "description": "the stage's training namespace; empty checks nothing",
    },
    "concurrent_jobs": {
        "type": "integer",
        "minimum": 0,
        "default": 10,
        "description": "training jobs that may run at once",
    },
    "gpus_per_job": {
        "type": "integer",
        "minimum": 0,
        "default": 1,
        "description": "GPUs (nvidia.com/gpu) each training job requests",
    },
}

GPU_KEY = "requests.nvidia.com/gpu"


def priority_class_scoped(quota: Mapping[str, Any]) -> bool:
    """Whether a ResourceQuota's scopeSelector limits it to pods of named PriorityClasses."""
    expressions = mapping(mapping(quota.get("spec")).get("scopeSelector")).get("matchExpressions")
    return any(
        isinstance(e, Mapping)
        and e.get("scopeName") == "PriorityClass"
        and e.get("operator") == "In"
        and e.get("values")
        for e in (expressions if is_list(expressions) else [])
    )


def _in_namespace(resource: StackResource, namespace: str) -> bool:
    if resource.kind == "Namespace":
        return mapping(resource.manifest.get("metadata")).get("name") == namespace
    return namespace_or_default(resource.manifest) == namespace


def _check(quota: StackResource, key: str, wanted: int, why: str, report_violation) -> None:
    value = mapping(mapping(quota.manifest.get("spec")).get("hard")).get(key)
    if value is None:
        observed = "not set (unlimited)"
    else:
        try:
            amount = quantity(value)
        except InvalidQuantity:
            amount = None
        if amount == wanted:
            return
        observed = written(value) if amount is not None else f"{written(value)!r}, not a quantity"
    expected = f"exactly {wanted} ({why})"
    report(report_violation, Violation(quota.title, f"spec.hard.{key}", observed, expected, quota.urn))


def validate(args, report_violation) -> None:
    namespace = option(args, "training_namespace", "")
    if not namespace or not isinstance(namespace, str):
        return
    resources = [r for r in stack_manifests(args) if _in_namespace(r, namespace)]
    if not resources:
        return
    jobs = number(option(args, "concurrent_jobs", 10)) or 0
    gpus = number(option(args, "gpus_per_job", 1)) or 0
    scoped = [q for q in of_kind(resources, "ResourceQuota") if priority_class_scoped(q.manifest)]
    if not scoped:
        owner = next(of_kind(resources, "Namespace"), None)
        report(
            report_violation,
            Violation(
                owner.title if owner else f"Namespace {namespace}",
                "",
                "without a ResourceQuota scoped to a PriorityClass",
                f"covered by one (scopeSelector PriorityClass In [the jobs' class]) "
                f"with hard pods {jobs} and {GPU_KEY} {jobs * gpus}",
                owner.urn if owner else None,
            ),
        )
    for quota in scoped:
        _check(quota, "pods", int(jobs), "training.concurrent_jobs", report_violation)
        _check(
            quota,
            GPU_KEY,
            int(jobs * gpus),
            f"training.concurrent_jobs {jobs} x training.job.gpus {gpus}",
            report_violation,
        )
