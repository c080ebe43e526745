"""dns-egress: a workload whose egress is restricted can still reach DNS on 53/UDP and 53/TCP.

The production guide's egress list (Redis, PostgreSQL, HTTPS) forgets DNS: once a NetworkPolicy
restricts a pod's egress, nothing resolves a name unless some policy selecting the pod allows
port 53 over UDP (ordinary queries) and over TCP (large answers, truncated UDP replies). For
every workload selected by at least one policy whose policyTypes include Egress, the egress rules
of those policies together must open port 53 for each protocol: a rule with no ports, a port
entry for the protocol with no port, 53 itself, or a range through 53. The peers (`to`) are not
checked; a named port ("dns") does not count, as it cannot be resolved from the policy alone.

PASS:
    kind: NetworkPolicy
    metadata: {name: allow-dns, namespace: agent-platform-prod}
    spec:
      podSelector: {}
      policyTypes: [Egress]
      egress: [{ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]}]

FAIL:
    kind: NetworkPolicy
    metadata: {name: agent-service, namespace: agent-platform-prod}
    spec:
      podSelector: {matchLabels: {app: agent}}
      policyTypes: [Egress]
      egress: [{ports: [{protocol: UDP, port: 53}]}]   # 53/TCP missing
"""

from __future__ import annotations

from kube.network import WORKLOAD_KINDS, allows_port, policy_rules, policy_types, selects, spec_of
from kube.workloads import mapping, namespace_of, pod_template
from policies.framework import Violation, by_namespace, of_kind, report, stack_manifests

ID = "dns-egress"
DESCRIPTION = "Every workload whose egress a NetworkPolicy restricts may reach DNS on port 53 over UDP and TCP."
REMEDIATION = (
    "Keep the namespace's allow-dns NetworkPolicy (the generator writes it from network.dns in the stage "
    "file), or add an egress rule with ports 53/UDP and 53/TCP to kube-dns to a policy selecting the pods."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Allow egress to kube-dns (namespace kube-system, k8s-app: kube-dns) on ports 53/UDP and 53/TCP in a "
    "NetworkPolicy selecting the pods whose egress is restricted."
)
SCOPE = "stack"
OPTIONS: dict = {}
DNS_PORT = 53
PROTOCOLS = ("UDP", "TCP")


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    egress_policies = by_namespace(
        p for p in of_kind(resources, "NetworkPolicy") if "Egress" in policy_types(spec_of(p.manifest))
    )
    for workload in of_kind(resources, *WORKLOAD_KINDS):
        template = pod_template(workload.manifest)
        if template is None:
            continue
        namespace = namespace_of(workload.manifest)
        restricting = [p for p in egress_policies.get(namespace, ()) if selects(p.manifest, namespace, template.labels)]
        if not restricting:
            continue
        rules = [rule for p in restricting for rule in policy_rules(spec_of(p.manifest), "egress")]
        missing = [
            protocol for protocol in PROTOCOLS if not any(allows_port(rule, DNS_PORT, protocol) for rule in rules)
        ]
        if missing:
            names = ", ".join(str(mapping(p.manifest.get("metadata")).get("name", "?")) for p in restricting)
            report(
                report_violation,
                Violation(
                    workload.title,
                    "",
                    f"restricted in egress (NetworkPolicy {names}) with no egress to "
                    + " or ".join(f"{DNS_PORT}/{protocol}" for protocol in missing),
                    "allowed egress to port 53 over UDP and TCP (cluster DNS), or no name resolves",
                    workload.urn,
                ),
            )
