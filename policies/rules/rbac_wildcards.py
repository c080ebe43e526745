"""rbac-wildcards: no Role or ClusterRole rule grants "*" verbs, resources or API groups.

A wildcard grants more than its author read: "*" verbs include escalate, bind, impersonate and
deletecollection; "*" resources include Secrets, pods/exec and every custom resource installed
later; "*" API groups every group there will ever be. A rule names what it needs. Wildcards are
the API server's: "*" in verbs, apiGroups or resources, and "*/<subresource>" in resources (that
subresource of every resource). An aggregated ClusterRole (aggregationRule) is not judged by its
own rules, which the controller manager overwrites: the ClusterRoles it aggregates are.

PASS:
    kind: ClusterRole
    rules:
      - apiGroups: [apps]
        resources: [deployments, deployments/scale]
        verbs: [get, list, watch, patch]

FAIL:
    kind: ClusterRole
    rules:
      - apiGroups: ["*"]              # rules[0].apiGroups
        resources: ["*"]              # rules[0].resources
        verbs: ["*"]                  # rules[0].verbs
"""

from __future__ import annotations

from kube.rbac import ROLE_KINDS, is_rbac, policy_rules
from kube.workloads import title
from policies.framework import Violation, manifest_of, report, shown

ID = "rbac-wildcards"
DESCRIPTION = 'No Role or ClusterRole rule grants "*" verbs, resources or apiGroups.'
REMEDIATION = (
    'List the verbs, resources and API groups the role needs instead of "*"; the platform\'s Roles come from '
    "api_access under a service's entry in services: of the stage files (environments/defaults.yaml)."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    'Replace "*" in the rule\'s verbs, resources and apiGroups with the names the role needs (kubectl '
    "api-resources lists them, with their verbs)."
)
SCOPE = "resource"
OPTIONS: dict = {}

GRANTS = {
    "verbs": "named verbs, not '*' (which grants every verb, escalate, bind and impersonate included)",
    "resources": "named resources, not '*' (which grants every resource, Secrets and custom resources installed "
    "later included)",
    "subresources": "named resources, not '*/<subresource>' (which grants that subresource of every resource, "
    "custom resources installed later included)",
    "apiGroups": "named API groups, not '*' (which grants every group, those added later included)",
}


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    if manifest is None or not is_rbac(manifest, ROLE_KINDS):
        return
    for rule in policy_rules(manifest):
        for field, values in rule.wildcards():
            grants = GRANTS["subresources" if field == "resources" and "*" not in values else field]
            report(
                report_violation,
                Violation(title(manifest), f"{rule.path}.{field}", shown(list(values)), grants, args.urn),
            )
