"""rbac-cluster-admin: no binding grants cluster-admin, or a ClusterRole as powerful.

cluster-admin does anything to every resource (CIS Kubernetes Benchmark 5.1.1). Through a
ClusterRoleBinding it rules the cluster; through a RoleBinding its namespace, with the
namespace's Secrets and RBAC, so both are reported. A ClusterRole of the manifests whose rule
grants "*" verbs on "*" resources of "*" API groups counts as cluster-admin (as Polaris's
clusterrolebindingClusterAdmin counts it). No subject is exempt because its name starts with
`system:`: system:authenticated, system:unauthenticated and system:serviceaccounts are every
user, anyone, and every ServiceAccount, the worst subjects to make admin. The one binding left
alone is to the group system:masters only, the API server's own bootstrap binding: the API
server allows that group everything before it consults RBAC, so the binding grants nothing.

PASS:
    kind: ClusterRoleBinding
    roleRef: {kind: ClusterRole, name: cluster-admin}
    subjects: [{kind: Group, name: "system:masters"}]
    ---
    kind: RoleBinding
    roleRef: {kind: ClusterRole, name: edit}

FAIL:
    kind: ClusterRoleBinding
    roleRef: {kind: ClusterRole, name: cluster-admin}   # roleRef.name
    subjects: [{kind: ServiceAccount, name: vendor-operator, namespace: shop}]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.rbac import BINDING_KINDS, CLUSTER_ADMIN, is_rbac, policy_rules, role_key, role_ref, subjects
from kube.workloads import namespace_of
from policies.framework import Violation, report, stack_manifests

ID = "rbac-cluster-admin"
DESCRIPTION = "No RoleBinding or ClusterRoleBinding grants cluster-admin, or a ClusterRole granting * on * in *."
REMEDIATION = (
    "Bind a Role with only the permissions the subjects need; the platform binds each service to its own Role, "
    "rendered from api_access under its entry in services: of the stage files (environments/defaults.yaml)."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Point roleRef at a Role or ClusterRole with only the permissions the subjects need (a RoleBinding where "
    "they act in one namespace), not at cluster-admin or a ClusterRole granting * on * in *."
)
SCOPE = "stack"
OPTIONS: dict = {}

MASTERS = "system:masters"
SHOWN_SUBJECTS = 3


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    superusers = {
        role_key(r.manifest)[2]
        for r in resources
        if is_rbac(r.manifest, ("ClusterRole",)) and any(rule.is_superuser() for rule in policy_rules(r.manifest))
    }
    for binding in resources:
        if not is_rbac(binding.manifest, BINDING_KINDS):
            continue
        ref = role_ref(binding.manifest)
        if ref is None or ref[0] != "ClusterRole" or _to_masters_only(binding.manifest):
            continue
        name = ref[2]
        if name == CLUSTER_ADMIN:
            role = f"'{name}'"
        elif name in superusers:
            role = (
                f"'{name}' (a ClusterRole granting '*' verbs on '*' resources of '*' API groups, as cluster-admin does)"
            )
        else:
            continue
        scope = (
            "cluster-wide"
            if binding.kind == "ClusterRoleBinding"
            else f"in namespace {namespace_of(binding.manifest)} (its Secrets and RBAC included)"
        )
        report(
            report_violation,
            Violation(
                binding.title,
                "roleRef.name",
                f"{role}, granting everything {scope} to {_who(binding.manifest)}",
                "a role with only the permissions its subjects need",
                binding.urn,
            ),
        )


def _to_masters_only(binding: Mapping[str, Any]) -> bool:
    found = subjects(binding)
    return bool(found) and all(s.kind == "Group" and s.name == MASTERS for s in found)


def _who(binding: Mapping[str, Any]) -> str:
    found = [s.shown for s in subjects(binding)]
    if not found:
        return "no subject yet"
    more = len(found) - SHOWN_SUBJECTS
    return ", ".join(found[:SHOWN_SUBJECTS]) + (f" and {more} more" if more > 0 else "")
