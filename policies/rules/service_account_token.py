"""service-account-token: a pod mounts an API token only when its service needs the API.

Stricter than the Pod Security Standards (the platform's pod security requirement): a mounted
service-account token lets anyone who takes over the pod call the Kubernetes API as it. A service
declares that it needs the API by binding its ServiceAccount to a Role: some RoleBinding or
ClusterRoleBinding lists the pod's ServiceAccount (`serviceAccountName`, default "default") of
the pod's namespace among its subjects. Any other pod must not mount the token: its pod spec sets
`automountServiceAccountToken: false`, or leaves it unset and its ServiceAccount (among the same
manifests) sets it false.

PASS:
    kind: ServiceAccount
    metadata: {name: task-service, namespace: agent-platform-prod}
    automountServiceAccountToken: false
    ---
    kind: Deployment            # pod spec: serviceAccountName: task-service, automount unset
    ---
    kind: Deployment            # pod spec: serviceAccountName: monitoring-service, automount true
    ---
    kind: RoleBinding
    subjects: [{kind: ServiceAccount, name: monitoring-service, namespace: agent-platform-prod}]

FAIL:
    kind: Deployment            # pod spec: serviceAccountName: tool-service, automount unset
    ---
    kind: ServiceAccount
    metadata: {name: tool-service, namespace: agent-platform-prod}   # automount unset, no binding
"""

from __future__ import annotations

from typing import Any

from kube.workloads import items, mapping, namespace_of, pod_template
from policies.framework import StackResource, Violation, of_kind, report, shown, stack_manifests

ID = "service-account-token"
DESCRIPTION = (
    "A pod automounts a service-account token only if a RoleBinding or ClusterRoleBinding grants its "
    "ServiceAccount API access (stricter than the PSS)."
)
REMEDIATION = (
    "Set automountServiceAccountToken: false on the pod spec or its ServiceAccount. A service that calls "
    "the API declares it with api_access under its entry in services: of the stage files "
    "(environments/defaults.yaml), which renders its Role and RoleBinding and turns the token on."
)
ENFORCEMENT = "mandatory"
GENERIC = "advisory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Set automountServiceAccountToken: false on the pod spec or its ServiceAccount unless the pod calls "
    "the Kubernetes API; a pod that does gets a Role and RoleBinding for its ServiceAccount."
)
SCOPE = "stack"
OPTIONS: dict = {}

DEFAULT_ACCOUNT = "default"


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    accounts = {
        (namespace_of(r.manifest), _text(mapping(r.manifest.get("metadata")).get("name"))): r.manifest
        for r in of_kind(resources, "ServiceAccount")
    }
    bound = _bound_accounts(resources)
    for workload in resources:
        template = pod_template(workload.manifest)
        if template is None:
            continue
        namespace = namespace_of(workload.manifest)
        name = (
            _text(template.spec.get("serviceAccountName"))
            or _text(template.spec.get("serviceAccount"))
            or DEFAULT_ACCOUNT
        )
        if (namespace, name) in bound:
            continue
        pod_value = template.spec.get("automountServiceAccountToken")
        account_value = mapping(accounts.get((namespace, name))).get("automountServiceAccountToken")
        if pod_value is False or (pod_value is None and account_value is False):
            continue
        observed = (
            shown(pod_value)
            if pod_value is not None
            else f"not set (so on: no ServiceAccount {name} in the manifests sets it false)"
        )
        report(
            report_violation,
            Violation(
                workload.title,
                f"{template.path}.automountServiceAccountToken",
                observed,
                f"false, since no RoleBinding or ClusterRoleBinding names ServiceAccount {name}",
                workload.urn,
            ),
        )


def _bound_accounts(resources: list[StackResource]) -> set[tuple[str, str]]:
    """(namespace, name) of every ServiceAccount that a RoleBinding or ClusterRoleBinding names as a subject."""
    bound = set()
    for binding in of_kind(resources, "RoleBinding", "ClusterRoleBinding"):
        # In a RoleBinding, a ServiceAccount subject without a namespace is in the binding's own.
        default = namespace_of(binding.manifest) if binding.kind == "RoleBinding" else ""
        for subject in items(binding.manifest.get("subjects")):
            if subject.get("kind") == "ServiceAccount":
                bound.add((_text(subject.get("namespace")) or default, _text(subject.get("name"))))
    return bound


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
