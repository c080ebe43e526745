"""rbac-privileged-token: no pod mounts the token of a ServiceAccount bound to a dangerous role.

Whoever takes over a pod holds the API token mounted in it. A ServiceAccount is dangerous to
hold when a binding of the manifests grants it a role that fails rbac-wildcards,
rbac-escalation-verbs or rbac-cluster-admin, or that reads every Secret through a
ClusterRoleBinding (rbac-read-all-secrets). The ServiceAccount is held directly, as
`system:serviceaccount:<namespace>:<name>`, or through the groups every ServiceAccount's token
carries (system:serviceaccounts, system:serviceaccounts:<namespace>, system:authenticated).
A pod of any workload (Jobs and CronJobs too) running as it (`serviceAccountName`, default
"default") is reported unless its token stays out: `automountServiceAccountToken: false` on the
pod spec, or unset there and false on the ServiceAccount, and no projected serviceAccountToken
volume. The finding is on the workload; the fix is either there (no token) or in the role.

PASS:
    kind: ClusterRoleBinding
    roleRef: {kind: ClusterRole, name: cluster-admin}
    subjects: [{kind: ServiceAccount, name: installer, namespace: shop}]
    ---
    kind: Deployment              # serviceAccountName: installer
    spec: {template: {spec: {automountServiceAccountToken: false}}}

FAIL:
    kind: Deployment              # serviceAccountName: installer, automountServiceAccountToken unset
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.rbac import (
    ALL,
    BINDING_KINDS,
    CLUSTER_ADMIN,
    ROLE_KINDS,
    SECRET_READING_BUILTINS,
    is_rbac,
    pod_account,
    policy_rules,
    role_key,
    role_ref,
    service_account_keys,
    service_accounts,
    subjects,
    token_automount_off,
)
from kube.workloads import items, mapping, namespace_of, pod_template
from policies.framework import StackResource, Violation, list_item, report, shown, stack_manifests

ID = "rbac-privileged-token"
DESCRIPTION = (
    "No pod mounts the token of a ServiceAccount bound to a role with wildcards, escalation verbs, cluster-admin "
    "or all Secrets."
)
REMEDIATION = (
    "Narrow the role (api_access under the service's entry in services: of the stage files, "
    "environments/defaults.yaml), or set automountServiceAccountToken: false if the pod does not call the API."
)
ENFORCEMENT = "mandatory"
GENERIC = "advisory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Narrow the role the ServiceAccount is bound to, or set automountServiceAccountToken: false on the pod spec "
    "(and mount no projected serviceAccountToken) if the pod does not call the API."
)
SCOPE = "stack"
OPTIONS: dict = {}


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    roles = {role_key(r.manifest): r for r in resources if is_rbac(r.manifest, ROLE_KINDS)}
    accounts = service_accounts(r.manifest for r in resources)
    holders: dict[tuple[str, str], list[str]] = {}  # (namespace, name), "*" for all -> why holding it is dangerous
    for binding in resources:
        if not is_rbac(binding.manifest, BINDING_KINDS):
            continue
        dangers = _dangers(binding, roles)
        if not dangers:
            continue
        ref = role_ref(binding.manifest)
        why = f"{ref[0]} {ref[2]} through {binding.title}, which grants {'; '.join(dangers)}" if ref else binding.title
        for subject in subjects(binding.manifest):
            for key in service_account_keys(subject):
                holders.setdefault(key, []).append(why)
    if not holders:
        return
    for workload in resources:
        template = pod_template(workload.manifest)
        if template is None:
            continue
        namespace, name = namespace_of(workload.manifest), pod_account(template.spec)
        held = holders.get((namespace, name), []) + holders.get((namespace, ALL), []) + holders.get((ALL, ALL), [])
        if not held:
            continue
        mounted = _mounted(template.path, template.spec, accounts.get((namespace, name)), name)
        if mounted is None:
            continue
        path, observed, want = mounted
        more = f" (and {len(held) - 1} more grants)" if len(held) > 1 else ""
        expected = f"{want} (or the role narrowed), since ServiceAccount {name} holds {held[0]}{more}"
        report(report_violation, Violation(workload.title, path, observed, expected, workload.urn))


def _dangers(binding: StackResource, roles: dict[tuple[str, str, str], StackResource]) -> list[str]:
    """What makes the role a binding grants dangerous to hold ([] when nothing does)."""
    ref = role_ref(binding.manifest)
    if ref is None:
        return []
    cluster_wide = binding.kind == "ClusterRoleBinding"
    kind, _, name = ref
    role = roles.get(ref)
    if role is None:
        if kind == "ClusterRole" and name == CLUSTER_ADMIN:
            return ["everything"]
        if kind == "ClusterRole" and name in SECRET_READING_BUILTINS and cluster_wide:
            return ["read of every Secret"]
        return []
    dangers = []
    for rule in policy_rules(role.manifest):
        found = ["wildcards"] if rule.wildcards() else []
        if rule.escalations():
            found.append(", ".join(dict.fromkeys(verb for verb, _ in rule.escalations())))
        if cluster_wide and rule.secret_reads():
            found.append("read of every Secret")
        if found:
            dangers.append(f"{' and '.join(found)} ({rule.path})")
    return dangers


def _mounted(
    pod_path: str, spec: Mapping[str, Any], account: Mapping[str, Any] | None, name: str
) -> tuple[str, str, str] | None:
    """(path, observed, expected) of how the pod gets a token, or None when it gets none."""
    for index, volume in enumerate(items(spec.get("volumes"))):
        for source_index, source in enumerate(items(mapping(volume.get("projected")).get("sources"))):
            if isinstance(source.get("serviceAccountToken"), Mapping):
                where = f"{pod_path}.volumes{list_item(volume, index)}.projected.sources[{source_index}]"
                return f"{where}.serviceAccountToken", "a projected token", "absent"
    if token_automount_off(spec, account):
        return None
    pod_value, account_value = (
        spec.get("automountServiceAccountToken"),
        mapping(account).get("automountServiceAccountToken"),
    )
    if pod_value is not None:
        return f"{pod_path}.automountServiceAccountToken", shown(pod_value), "false"
    because = (
        f"ServiceAccount {name} sets it true"
        if account_value is True
        else f"no ServiceAccount {name} in the manifests sets it false"
    )
    return f"{pod_path}.automountServiceAccountToken", f"not set (so on: {because})", "false"
