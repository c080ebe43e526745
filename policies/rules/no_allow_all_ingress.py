"""no-allow-all-ingress: no NetworkPolicy ingress rule lets in every source.

Ingress to the platform comes only from namespaces labelled `network-policy: allow-agentflow`
(and from named peers). These rules undo that for the pods the policy selects, and each one is
reported:

- a rule without `from` (`{}` included, `from: []` too): every source, on its ports or on all;
- a peer `ipBlock` whose CIDR is a /0 (0.0.0.0/0, ::/0), `except` or not: the whole internet;
- a peer whose namespaceSelector is empty (`{}`) with no podSelector, or an empty one: every pod
  of every namespace.

Rules are checked wherever they are listed, also where policyTypes leaves them inert.

PASS:
    spec:
      policyTypes: [Ingress]
      ingress:
        - from: [{namespaceSelector: {matchLabels: {network-policy: allow-agentflow}}}]
          ports: [{port: 8080}]

FAIL:
    spec:
      policyTypes: [Ingress]
      ingress:
        - ports: [{port: 8080}]                     # no from: every source
        - from: [{ipBlock: {cidr: 0.0.0.0/0}}]
        - from: [{namespaceSelector: {}}]           # every pod of every namespace
"""

from __future__ import annotations

from collections.abc import Mapping

from kube.network import indexed, is_empty_selector, is_world, spec_of
from kube.workloads import is_list, title
from policies.framework import Violation, manifest_of, report, shown

ID = "no-allow-all-ingress"
DESCRIPTION = "No NetworkPolicy ingress rule allows every source (no from, a /0 ipBlock, or every namespace's pods)."
REMEDIATION = (
    "Allow ingress only from named peers: the generator admits the namespaces labelled "
    "network.ingress_namespace_labels, network.scrape_namespace and the services' callers (services.<name>.calls)."
)
ENFORCEMENT = "mandatory"
GENERIC = "advisory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Replace the empty from (or namespaceSelector: {} / 0.0.0.0/0) by the namespaces and pods that really"
    " call the workload, by their labels."
)
SCOPE = "resource"
OPTIONS: dict = {}
EXPECTED = "a list of peers narrower than every source (labelled namespaces, selected pods, bounded IP blocks)"


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    if not manifest or manifest.get("kind") != "NetworkPolicy":
        return

    def violation(path: str, observed: str, expected: str = EXPECTED) -> None:
        report(report_violation, Violation(title(manifest), path, observed, expected, args.urn))

    for index, rule in indexed(spec_of(manifest).get("ingress")):
        if not rule.get("from"):
            ports = "every port" if not rule.get("ports") else "its ports"
            violation(
                f"spec.ingress[{index}].from",
                f"{'[]' if is_list(rule.get('from')) else 'not set'} (every source, on {ports})",
            )
            continue
        for position, peer in indexed(rule.get("from")):
            path = f"spec.ingress[{index}].from[{position}]"
            block = peer.get("ipBlock")
            if isinstance(block, Mapping) and is_world(block.get("cidr")):
                violation(
                    f"{path}.ipBlock.cidr",
                    f"{shown(block.get('cidr'))} (every address)",
                    "a CIDR narrower than every address",
                )
            if (
                peer.get("namespaceSelector") is not None
                and is_empty_selector(peer.get("namespaceSelector"))
                and is_empty_selector(peer.get("podSelector"))
            ):
                observed = "{} with " + ("no podSelector" if peer.get("podSelector") is None else "podSelector {}")
                violation(
                    f"{path}.namespaceSelector",
                    f"{observed} (every pod of every namespace)",
                    "a selector of labelled namespaces, or {} paired with a non-empty podSelector",
                )
