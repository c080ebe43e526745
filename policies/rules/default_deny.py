"""default-deny: every namespace that runs workloads denies all traffic unless a policy allows it.

A namespace holding a workload (any kind with a pod template but PodTemplate) needs a
NetworkPolicy with an empty podSelector (every pod of the namespace), policyTypes including both
Ingress and Egress, and no ingress and no egress rules. Explicit per-workload policies then open
what each workload needs (see workload-network-policy). Without the default, a pod that no policy
selects talks to anything, and a new workload starts wide open. A namespace-wide policy that
allows something (allow-dns: podSelector {}, Egress to port 53) is not a default deny.
policyTypes unset reads as the API server defaults it: Ingress, plus Egress only when there are
egress rules, so a deny-all policy must list both types.

PASS:
    kind: NetworkPolicy
    metadata: {name: default-deny, namespace: agent-platform-prod}
    spec: {podSelector: {}, policyTypes: [Ingress, Egress], ingress: [], egress: []}

FAIL:
    kind: NetworkPolicy
    metadata: {name: default-deny, namespace: agent-platform-prod}
    spec: {podSelector: {}, policyTypes: [Ingress]}     # egress left open
"""

from __future__ import annotations

from kube.network import WORKLOAD_KINDS, is_empty_selector, policy_rules, policy_types, spec_of
from kube.workloads import mapping, namespace_of, pod_template
from policies.framework import Violation, of_kind, report, stack_manifests

ID = "default-deny"
DESCRIPTION = "Every namespace holding a workload has a NetworkPolicy denying all ingress and egress by default."
REMEDIATION = (
    "Keep the namespace's default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, Egress], no rules); "
    "the generator writes it for the stage's namespaces, a hand-added namespace needs its own."
)
ENFORCEMENT = "mandatory"
GENERIC = "advisory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Add a NetworkPolicy with podSelector: {}, policyTypes: [Ingress, Egress] and no rules to the "
    "namespace, then allow each workload's traffic with policies of its own."
)
SCOPE = "stack"
OPTIONS: dict = {}


def is_default_deny(policy) -> bool:
    spec = spec_of(policy)
    return (
        is_empty_selector(spec.get("podSelector"))
        and {"Ingress", "Egress"} <= set(policy_types(spec))
        and not policy_rules(spec, "ingress")
        and not policy_rules(spec, "egress")
    )


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    denied = {namespace_of(p.manifest) for p in of_kind(resources, "NetworkPolicy") if is_default_deny(p.manifest)}
    namespaces = {mapping(n.manifest.get("metadata")).get("name"): n for n in of_kind(resources, "Namespace")}
    holding: dict[str, list[str]] = {}
    for workload in of_kind(resources, *WORKLOAD_KINDS):
        if pod_template(workload.manifest) is not None:
            holding.setdefault(namespace_of(workload.manifest), []).append(workload.title)
    for namespace, workloads in sorted(holding.items()):
        if namespace in denied:
            continue
        known = namespaces.get(namespace)
        shown_workloads = ", ".join(workloads[:3]) + (f" and {len(workloads) - 3} more" if len(workloads) > 3 else "")
        report(
            report_violation,
            Violation(
                known.title if known else f"Namespace {namespace or '(unset)'}",
                "",
                f"without a default-deny NetworkPolicy, holding {shown_workloads}",
                "covered by a NetworkPolicy with podSelector {}, policyTypes [Ingress, Egress] and no rules "
                "(a default deny per namespace)",
                known.urn if known else None,
            ),
        )
