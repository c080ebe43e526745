"""tenant-isolation: no tenant's namespace lets in the pods of another tenant.

A tenant namespace is a Namespace labelled `agentflow.example.com/tenant: <tenant>`. Each one needs
a default deny for ingress: a NetworkPolicy in it with an empty podSelector and Ingress among its
policyTypes (unset policyTypes always include Ingress), so that no pod there accepts traffic that
no rule admits. And no ingress rule of a NetworkPolicy in a tenant namespace may admit the pods of
another tenant's namespace:

- a rule without `from` (or `from: []`): every source;
- a peer whose namespaceSelector, with or without a podSelector, matches another tenant
  namespace's labels (its Namespace labels plus `kubernetes.io/metadata.name`); `{}` matches all;
- a peer `ipBlock`: pod IPs are not known offline, so no CIDR can be proven to miss them.

A podSelector alone selects the policy's own namespace; a namespaceSelector matching only the
own namespace, other namespaces of the same tenant or shared (unlabelled) namespaces passes.
Rules are checked wherever they are listed, also where policyTypes leaves them inert.

PASS:
    kind: NetworkPolicy
    metadata: {name: agent-service, namespace: tenant-acme-prod}
    spec:
      podSelector: {matchLabels: {app: agent}}
      policyTypes: [Ingress]
      ingress:
        - from: [{namespaceSelector: {matchLabels: {network-policy: allow-agentflow}}}]
        - from: [{podSelector: {matchLabels: {app: task}}}]     # own namespace

FAIL:
    kind: NetworkPolicy
    metadata: {name: agent-service, namespace: tenant-acme-prod}
    spec:
      podSelector: {matchLabels: {app: agent}}
      policyTypes: [Ingress]
      ingress:
        - from: [{namespaceSelector: {matchLabels: {agentflow.example.com/tenant: globex}}}]
        - from: [{ipBlock: {cidr: 10.0.0.0/8}}]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.network import indexed, is_empty_selector, policy_types, spec_of
from kube.network_reach import namespace_labels
from kube.tenancy import TENANT_LABEL, tenant_namespaces
from kube.workloads import is_list, mapping, namespace_of, selector_matches
from policies.framework import StackResource, Violation, of_kind, report, shown, stack_manifests

ID = "tenant-isolation"
DESCRIPTION = "Every tenant namespace denies ingress by default and admits no pod of another tenant's namespace."
REMEDIATION = (
    "Keep the tenant's default-deny NetworkPolicy and admit only the tenant's own pods and shared namespaces "
    "(the ingress controller's, monitoring) by their labels, never namespaceSelector {}, an ipBlock or a rule "
    "without from; the generator writes these for every entry of the stage's tenants."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "stack"
OPTIONS: dict = {}


class _Tenants:
    """The tenant namespaces with their labels, and which of them each distinct selector matches (cached)."""

    def __init__(self, namespaces: list[StackResource]):
        manifests = [n.manifest for n in namespaces]
        self.tenant = tenant_namespaces(manifests)  # namespace -> tenant
        labels = namespace_labels(manifests)
        self.labels = {ns: labels.get(ns, {}) for ns in self.tenant}
        self.namespaces_of: dict[str, set[str]] = {}
        self._by_label: dict[tuple[str, str], set[str]] = {}
        for ns, tenant in self.tenant.items():
            self.namespaces_of.setdefault(tenant, set()).add(ns)
            for pair in self.labels[ns].items():
                self._by_label.setdefault(pair, set()).add(ns)
        self.everyone = (tuple(sorted(self.tenant)), frozenset(self.tenant))
        self._cache: dict[Any, tuple[tuple[str, ...], frozenset[str]]] = {}

    def matching(self, selector: Any) -> tuple[tuple[str, ...], frozenset[str]]:
        """The tenant namespaces a namespaceSelector matches, sorted and as a set."""
        key = _frozen(selector)
        if key not in self._cache:
            candidates: set[str] | frozenset[str] = self.everyone[1]
            if isinstance(selector, Mapping):
                for pair in mapping(selector.get("matchLabels")).items():
                    candidates = candidates & self._by_label.get(pair, set()) if isinstance(pair[1], str) else set()
            found = sorted(ns for ns in candidates if selector_matches(selector, self.labels[ns]))
            self._cache[key] = (tuple(found), frozenset(found))
        return self._cache[key]

    def others(self, matched: tuple[tuple[str, ...], frozenset[str]], own: str) -> tuple[str | None, int]:
        """The first matched namespace of another tenant than own, and how many there are."""
        ordered, members = matched
        count = len(members) - sum(1 for ns in self.namespaces_of.get(own, ()) if ns in members)
        first = next((ns for ns in ordered if self.tenant[ns] != own), None) if count else None
        return first, count


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    tenants = _Tenants(list(of_kind(resources, "Namespace")))
    if not tenants.tenant:
        return
    policies = [p for p in of_kind(resources, "NetworkPolicy") if namespace_of(p.manifest) in tenants.tenant]
    _check_default_deny(resources, policies, tenants, report_violation)
    for policy in policies:
        _check_ingress(policy, tenants, report_violation)


def _check_default_deny(resources, policies, tenants: _Tenants, report_violation) -> None:
    denied = {
        namespace_of(p.manifest)
        for p in policies
        if is_empty_selector(spec_of(p.manifest).get("podSelector")) and "Ingress" in policy_types(spec_of(p.manifest))
    }
    for namespace in of_kind(resources, "Namespace"):
        name = mapping(namespace.manifest.get("metadata")).get("name")
        if name in tenants.tenant and name not in denied:
            report(
                report_violation,
                Violation(
                    namespace.title,
                    "",
                    f"without a NetworkPolicy isolating its pods for ingress (tenant {shown(tenants.tenant[name])})",
                    "covered by a NetworkPolicy with podSelector {} and Ingress in its policyTypes "
                    "(the tenant's default deny)",
                    namespace.urn,
                ),
            )


def _check_ingress(policy: StackResource, tenants: _Tenants, report_violation) -> None:
    namespace = namespace_of(policy.manifest)
    own = tenants.tenant[namespace]
    expected = (
        f"peers admitting no other tenant's pods: a podSelector alone, or a namespaceSelector matching only "
        f"namespaces of tenant {shown(own)} or without the {TENANT_LABEL} label"
    )

    def admitted(matched: tuple[tuple[str, ...], frozenset[str]]) -> str | None:
        """Which other tenants' namespaces are among matched, for a person; None when there are none."""
        first, count = tenants.others(matched, own)
        if first is None:
            return None
        more = f" and {count - 1} more namespace{'s' if count > 2 else ''} of other tenants" if count > 1 else ""
        return f"{first} (tenant {shown(tenants.tenant[first])}){more}"

    def violation(path: str, observed: str) -> None:
        report(report_violation, Violation(policy.title, path, observed, expected, policy.urn))

    ingress = spec_of(policy.manifest).get("ingress")
    for index, item in enumerate(ingress if is_list(ingress) else []):
        rule = {} if item is None else item  # a null rule decodes as an empty one: every source
        if not isinstance(rule, Mapping):
            continue
        peers = rule.get("from")
        if not peers:
            if others := admitted(tenants.everyone):
                every = "[]" if is_list(peers) else "not set"
                violation(f"spec.ingress[{index}].from", f"{every} (every source, the pods of {others} included)")
            continue
        for position, peer in indexed(peers):
            path = f"spec.ingress[{index}].from[{position}]"
            block, selector = peer.get("ipBlock"), peer.get("namespaceSelector")
            if block is not None and (others := admitted(tenants.everyone)):
                cidr = shown(mapping(block).get("cidr"))
                violation(
                    path,
                    f"an ipBlock with cidr {cidr}, which may cover the pods of {others} "
                    "(pod IPs are unknown before they run)",
                )
            elif block is None and selector is not None and (others := admitted(tenants.matching(selector))):
                violation(path, f"a namespaceSelector {shown(selector)} matching {others}")


def _frozen(value: Any) -> Any:
    """A hashable, order-free copy of a selector (a plain dict or pulumi_policy's proxies alike)."""
    if isinstance(value, str) or value is None:  # the common leaves first: ABC checks are slow
        return value
    if isinstance(value, dict | Mapping):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, list) or is_list(value):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value
