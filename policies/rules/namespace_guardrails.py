"""namespace-guardrails: every namespace in use has a ResourceQuota and a LimitRange.

A namespace without a quota lets one runaway workload (or an HPA at its maximum) take the
cluster; without a LimitRange a container that forgets its resources runs unbounded. Every
namespace that holds a workload, or that a Namespace object declares, needs a ResourceQuota
that applies to all its pods (no scopes, no scopeSelector: a quota scoped to a PriorityClass
bounds only those pods) and a LimitRange. Workloads without a namespace land in `default`.

PASS:
    Namespace agent-platform-prod + ResourceQuota quota (hard: {requests.cpu: "64", ...}) + LimitRange limits

FAIL:
    Namespace model-training-prod + ResourceQuota training-jobs (scopeSelector PriorityClass), no LimitRange
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.resources import namespace_or_default, pod_of, unscoped_quota
from kube.workloads import mapping
from policies.framework import StackResource, Violation, of_kind, report, stack_manifests

ID = "namespace-guardrails"
DESCRIPTION = "Every namespace that holds workloads has an unscoped ResourceQuota and a LimitRange."
REMEDIATION = (
    "Set namespace.quota and namespace.limit_range (training.quota and training.limit_range for the "
    "training namespace) in environments/<stage>.yaml, so the namespace gets both."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "stack"
OPTIONS: dict = {}


def name_of(manifest: Mapping[str, Any]) -> Any:
    return mapping(manifest.get("metadata")).get("name")


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    declared = {name_of(r.manifest): r for r in of_kind(resources, "Namespace") if isinstance(name_of(r.manifest), str)}
    used = {namespace_or_default(r.manifest) for r in resources if pod_of(r.manifest) is not None}
    quotas: dict[str, list[StackResource]] = {}
    for quota in of_kind(resources, "ResourceQuota"):
        quotas.setdefault(namespace_or_default(quota.manifest), []).append(quota)
    limited = {namespace_or_default(r.manifest) for r in of_kind(resources, "LimitRange")}
    for namespace in sorted(used | set(declared)):
        owner = declared.get(namespace)
        where, urn = (owner.title, owner.urn) if owner else (f"Namespace {namespace}", None)
        found = quotas.get(namespace, [])
        if not any(unscoped_quota(q.manifest) for q in found):
            scoped = ", ".join(str(name_of(q.manifest)) for q in found)
            observed = (
                f"without an unscoped ResourceQuota (only scoped ones: {scoped})"
                if found
                else "without a ResourceQuota"
            )
            report(
                report_violation,
                Violation(
                    where, "", observed, "covered by a ResourceQuota without scopes, which bounds all its pods", urn
                ),
            )
        if namespace not in limited:
            report(
                report_violation,
                Violation(
                    where,
                    "",
                    "without a LimitRange",
                    "covered by a LimitRange (container defaults, max and ratio)",
                    urn,
                ),
            )
