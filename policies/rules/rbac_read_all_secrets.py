"""rbac-read-all-secrets: no role reads every Secret of the cluster.

Reading every Secret (get, list or watch, or "*", on secrets of the core group, without
resourceNames) hands over every credential of the cluster, ServiceAccount tokens included,
and through them other subjects' permissions (CIS Kubernetes Benchmark 5.1.2). A read is
cluster-wide when a ClusterRoleBinding grants it. A ClusterRole granted only through
RoleBindings reads the Secrets of those namespaces, as a Role would, and a ClusterRole that no
binding of the manifests names grants nothing yet: neither is reported (a ClusterRole is
also the way to define a role once for RoleBindings in many namespaces). Reported are:
- a ClusterRole's rule reading Secrets, when a ClusterRoleBinding of the manifests binds it;
- a ClusterRole's rule reading Secrets when the ClusterRole aggregates into the built-in `view`
  (label rbac.authorization.k8s.io/aggregate-to-view), which is defined to exclude Secrets and
  is often bound cluster-wide;
- a ClusterRoleBinding of the built-in `admin` or `edit`, which read every Secret (cluster-admin
  is rbac-cluster-admin's).
Advisory for foreign manifests: controllers that watch Secrets in every namespace (ingress
controllers, certificate managers) have no narrower grant; the finding asks for a review.

PASS:
    kind: ClusterRole
    metadata: {name: tls-reader}
    rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}]
    ---
    kind: RoleBinding             # the ClusterRole in one namespace only
    roleRef: {kind: ClusterRole, name: tls-reader}

FAIL:
    kind: ClusterRole
    metadata: {name: ingress-nginx}
    rules: [{apiGroups: [""], resources: [secrets], verbs: [list, watch]}]   # rules[0]
    ---
    kind: ClusterRoleBinding
    roleRef: {kind: ClusterRole, name: ingress-nginx}
"""

from __future__ import annotations

from kube.rbac import SECRET_READING_BUILTINS, is_rbac, policy_rules, role_key, role_ref
from kube.workloads import mapping
from policies.framework import StackResource, Violation, report, stack_manifests

ID = "rbac-read-all-secrets"
DESCRIPTION = (
    "No ClusterRole bound cluster-wide or aggregated into view reads every Secret, nor does a ClusterRoleBinding "
    "of admin or edit."
)
REMEDIATION = (
    "Read only the Secrets a service needs, in its own namespace: the platform's services get a namespaced Role "
    "from api_access under their entry in services: of the stage files (environments/defaults.yaml), and "
    "mount their Secrets rather than read them through the API."
)
ENFORCEMENT = "mandatory"
GENERIC = "advisory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Limit the read to the Secrets needed: name them in resourceNames, or grant the role per namespace with "
    "RoleBindings instead of a ClusterRoleBinding; a controller that must watch Secrets everywhere gets a "
    "suppression with the reason."
)
SCOPE = "stack"
OPTIONS: dict = {}

AGGREGATE_TO_VIEW = "rbac.authorization.k8s.io/aggregate-to-view"
EXPECTED = "limited to named Secrets (resourceNames) or to namespaces (RoleBindings), not every Secret of the cluster"


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    cluster_bindings: dict[str, list[StackResource]] = {}
    for binding in resources:
        ref = role_ref(binding.manifest) if is_rbac(binding.manifest, ("ClusterRoleBinding",)) else None
        if ref is not None:
            cluster_bindings.setdefault(ref[2], []).append(binding)
    defined = set()
    for role in resources:
        if not is_rbac(role.manifest, ("ClusterRole",)):
            continue
        name = role_key(role.manifest)[2]
        defined.add(name)
        bindings = cluster_bindings.get(name, [])
        how = [f"bound cluster-wide by {', '.join(b.title for b in bindings)}"] if bindings else []
        if mapping(mapping(role.manifest.get("metadata")).get("labels")).get(AGGREGATE_TO_VIEW) == "true":
            how.append("aggregated into the built-in view (meant to exclude Secrets)")
        if not how:
            continue
        for rule in policy_rules(role.manifest):
            verbs = rule.secret_reads()
            if verbs:
                observed = f"{', '.join(verbs)} on every Secret, {' and '.join(how)}"
                report(report_violation, Violation(role.title, rule.path, observed, EXPECTED, role.urn))
    for name in SECRET_READING_BUILTINS:
        if name in defined:  # the manifests define it (a cluster's dump): judged above, by its rules
            continue
        for binding in cluster_bindings.get(name, []):
            observed = f"'{name}', the built-in ClusterRole that reads and writes every Secret, granted cluster-wide"
            report(report_violation, Violation(binding.title, "roleRef.name", observed, EXPECTED, binding.urn))
