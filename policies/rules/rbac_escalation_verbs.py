"""rbac-escalation-verbs: no role grants escalate, bind or impersonate.

The API server stops a subject from granting permissions it does not hold, except through three
verbs (Kubernetes RBAC good practices, CIS Kubernetes Benchmark 5.1.8): `escalate` on roles or
clusterroles writes a role with any permission; `bind` on roles or clusterroles binds any role,
cluster-admin included, to anyone, the holder itself included; `impersonate` on users, groups,
serviceaccounts (core group), uids or userextras (authentication.k8s.io) acts as that subject
with all its permissions. Each is a path to cluster-admin. A "*" verb, resource or API group that
covers them counts; so does a rule limited by resourceNames, which is reported with the names for
a reviewer to judge (bind restricted to one harmless role is the narrow form a controller that
writes RoleBindings needs; it is then suppressed with its reason). bind is looked for on roles
and clusterroles, where the API server checks it when a binding is written; Checkov's CKV_K8S_157
looks for it on rolebindings and clusterrolebindings, where it grants nothing.

PASS:
    kind: ClusterRole
    rules:
      - apiGroups: [rbac.authorization.k8s.io]
        resources: [rolebindings]
        verbs: [get, list, create]   # create checks that the creator holds the role's permissions

FAIL:
    kind: ClusterRole
    rules:
      - apiGroups: [rbac.authorization.k8s.io]
        resources: [clusterroles]
        verbs: [bind, escalate]      # rules[0].verbs
"""

from __future__ import annotations

from kube.rbac import ROLE_KINDS, is_rbac, policy_rules
from kube.workloads import title
from policies.framework import Violation, manifest_of, report, shown

ID = "rbac-escalation-verbs"
DESCRIPTION = "No Role or ClusterRole grants escalate or bind on roles, or impersonate on users, groups or accounts."
REMEDIATION = (
    "Remove escalate, bind and impersonate (and \"*\" covering them) from the role's verbs; the platform's Roles "
    "come from api_access under a service's entry in services: of the stage files (environments/defaults.yaml)."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    'Remove escalate, bind and impersonate (and a "*" covering them) from the rule; a controller that must bind '
    "roles gets bind on the few roles it hands out, named in resourceNames, and a suppression with the reason."
)
SCOPE = "resource"
OPTIONS: dict = {}

EXPECTED = (
    "without escalate, bind and impersonate (escalate writes roles beyond the holder's own permissions, "
    "bind grants any role to anyone, impersonate acts as another user, group or ServiceAccount)"
)


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    if manifest is None or not is_rbac(manifest, ROLE_KINDS):
        return
    for rule in policy_rules(manifest):
        on: dict[str, list[str]] = {}
        for verb, resource in rule.escalations():
            on.setdefault(verb, []).append(resource)
        if not on:
            continue
        verbs_on: dict[tuple[str, ...], list[str]] = {}  # verbs granted on the same resources read together
        for verb, resources in on.items():
            verbs_on.setdefault(tuple(resources), []).append(verb)
        what = "; ".join(f"{' and '.join(verbs)} on {', '.join(resources)}" for resources, verbs in verbs_on.items())
        if rule.resource_names:
            what += f" named {', '.join(rule.resource_names)}"
        report(
            report_violation,
            Violation(
                title(manifest), f"{rule.path}.verbs", f"{shown(list(rule.verbs))}, granting {what}", EXPECTED, args.urn
            ),
        )
