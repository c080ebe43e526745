"""workload-network-policy: every workload's pods are selected by a NetworkPolicy of their own.

Beyond the namespace-wide default deny, each workload (any kind with a pod template but
PodTemplate) needs a NetworkPolicy in its namespace whose podSelector is not empty and selects
its pod labels: the explicit list of what that workload may reach and be reached from. A
policy with podSelector {} (default-deny, allow-dns) does not count; it is the same for every pod.

PASS:
    kind: Deployment
    metadata: {name: agent-service, namespace: agent-platform-prod}
    spec: {template: {metadata: {labels: {app: agent}}}}
    ---
    kind: NetworkPolicy
    metadata: {name: agent-service, namespace: agent-platform-prod}
    spec: {podSelector: {matchLabels: {app: agent}}, policyTypes: [Ingress, Egress]}

FAIL:
    kind: Deployment
    metadata: {name: agent-service, namespace: agent-platform-prod}
    spec: {template: {metadata: {labels: {app: agent}}}}     # only default-deny selects it
"""

from __future__ import annotations

from kube.network import WORKLOAD_KINDS, is_empty_selector, selects, spec_of
from kube.workloads import namespace_of, pod_template
from policies.framework import Violation, by_namespace, of_kind, report, stack_manifests

ID = "workload-network-policy"
DESCRIPTION = "Every workload's pods are selected by a NetworkPolicy with a non-empty podSelector in their namespace."
REMEDIATION = (
    "Give the workload its own NetworkPolicy selecting its pod labels: the generator writes one per service "
    "from services.<name>.egress and calls in the stage file; a hand-added workload needs one written for it."
)
ENFORCEMENT = "mandatory"
GENERIC = "advisory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Add a NetworkPolicy whose podSelector matches the workload's pod labels and allows only the traffic it needs."
)
SCOPE = "stack"
OPTIONS: dict = {}


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    policies = by_namespace(
        p for p in of_kind(resources, "NetworkPolicy") if not is_empty_selector(spec_of(p.manifest).get("podSelector"))
    )
    for workload in of_kind(resources, *WORKLOAD_KINDS):
        template = pod_template(workload.manifest)
        if template is None:
            continue
        namespace = namespace_of(workload.manifest)
        if not any(selects(policy.manifest, namespace, template.labels) for policy in policies.get(namespace, ())):
            report(
                report_violation,
                Violation(
                    workload.title,
                    _labels_path(template.path),
                    "selected by no NetworkPolicy of its own",
                    f"selected by a NetworkPolicy in {namespace or 'its namespace'} whose podSelector matches them "
                    "(an explicit policy per workload)",
                    workload.urn,
                ),
            )


def _labels_path(pod_spec_path: str) -> str:
    """Where the pod labels are: beside the pod spec (a Pod's own metadata for a Pod)."""
    parent = pod_spec_path.rpartition(".")[0]
    return f"{parent}.metadata.labels" if parent else "metadata.labels"
