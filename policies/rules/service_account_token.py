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

from kube.rbac import pod_account, service_accounts, subjects, token_automount_off
from kube.workloads import namespace_of, pod_template
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


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    accounts = service_accounts(r.manifest for r in resources)
    bound = _bound_accounts(resources)
    for workload in resources:
        template = pod_template(workload.manifest)
        if template is None:
            continue
        namespace, name = namespace_of(workload.manifest), pod_account(template.spec)
        if (namespace, name) in bound or token_automount_off(template.spec, accounts.get((namespace, name))):
            continue
        pod_value = template.spec.get("automountServiceAccountToken")
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
    return {
        (subject.namespace, subject.name)
        for binding in of_kind(resources, "RoleBinding", "ClusterRoleBinding")
        for subject in subjects(binding.manifest)
        if subject.kind == "ServiceAccount"
    }
