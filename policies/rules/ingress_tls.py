"""ingress-tls: every Ingress serves its hosts over TLS from cert-manager and redirects HTTP.

Three conditions, each reported on its own field:

- every host of spec.rules is listed in spec.tls[].hosts of an entry with a secretName (a
  wildcard `*.example.com` covers one label); a rule without a host serves every host and needs
  a tls entry with a secretName;
- the annotation nginx.ingress.kubernetes.io/ssl-redirect or force-ssl-redirect is "true";
- cert-manager.io/cluster-issuer or cert-manager.io/issuer names the issuer of the certificate.

PASS:
    metadata:
      annotations: {cert-manager.io/cluster-issuer: letsencrypt-prod, nginx.ingress.kubernetes.io/ssl-redirect: "true"}
    spec:
      rules: [{host: api.agentflow.example.com}]
      tls: [{hosts: [api.agentflow.example.com], secretName: agentflow-tls}]

FAIL:
    metadata:
      annotations: {nginx.ingress.kubernetes.io/ssl-redirect: "false"}     # no issuer
    spec:
      rules: [{host: api.agentflow.example.com}]                            # no tls
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.network import indexed
from kube.workloads import is_list, mapping, title
from policies.framework import Violation, manifest_of, report, shown

ID = "ingress-tls"
DESCRIPTION = (
    "An Ingress lists every host under TLS with a secret, redirects HTTP to HTTPS and names a cert-manager issuer."
)
REMEDIATION = (
    "Set ingress.cluster_issuer and ingress.ssl_redirect: true in the stage file; the generator lists "
    "ingress.platform_host and ingress.training_host under spec.tls with their secret."
)
ENFORCEMENT = "mandatory"
GENERIC = "advisory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "List every host of the Ingress under spec.tls with a secretName (cert-manager's cluster-issuer "
    "annotation can issue it), and redirect HTTP to HTTPS."
)
SCOPE = "resource"
OPTIONS: dict = {}
REDIRECTS = ("nginx.ingress.kubernetes.io/ssl-redirect", "nginx.ingress.kubernetes.io/force-ssl-redirect")
ISSUERS = ("cert-manager.io/cluster-issuer", "cert-manager.io/issuer")


def covers(pattern: Any, host: str) -> bool:
    """Whether a TLS host (exact, or a `*.` wildcard of one label) covers a rule host."""
    if not isinstance(pattern, str):
        return False
    if pattern.startswith("*."):
        label, _, rest = host.partition(".")
        return bool(label) and rest.lower() == pattern[2:].lower()
    return pattern.lower() == host.lower()


def _hosts(entry: Mapping[str, Any]) -> list:
    hosts = entry.get("hosts")
    return list(hosts) if is_list(hosts) else []


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    if not manifest or manifest.get("kind") != "Ingress":
        return

    def violation(path: str, observed: str, expected: str) -> None:
        report(report_violation, Violation(title(manifest), path, observed, expected, args.urn))

    spec = mapping(manifest.get("spec"))
    tls = list(indexed(spec.get("tls")))
    with_secret = [entry for _, entry in tls if entry.get("secretName")]
    for index, rule in indexed(spec.get("rules")):
        host = rule.get("host")
        if not isinstance(host, str) or not host:
            if not with_secret:
                violation(
                    f"spec.rules[{index}].host",
                    "not set (every host) with no spec.tls entry with a secretName",
                    "served over TLS: a spec.tls entry with a secretName",
                )
            continue
        if any(covers(p, host) for entry in with_secret for p in _hosts(entry)):
            continue
        secretless = [
            i for i, entry in tls if not entry.get("secretName") and any(covers(p, host) for p in _hosts(entry))
        ]
        observed = (
            f"{shown(host)}, listed in spec.tls[{secretless[0]}] which has no secretName"
            if secretless
            else f"{shown(host)} without TLS"
        )
        violation(f"spec.rules[{index}].host", observed, "listed in spec.tls[].hosts of an entry with a secretName")
    annotations = mapping(mapping(manifest.get("metadata")).get("annotations"))
    if not any(str(annotations.get(key, "")).lower() == "true" for key in REDIRECTS):
        violation(
            f"metadata.annotations['{REDIRECTS[0]}']",
            shown(annotations.get(REDIRECTS[0])),
            f"'true' (or {REDIRECTS[1]} 'true'), so plain HTTP is redirected to HTTPS",
        )
    if not any(isinstance(annotations.get(key), str) and annotations.get(key).strip() for key in ISSUERS):
        violation(
            f"metadata.annotations['{ISSUERS[0]}']",
            "not set (nor cert-manager.io/issuer)",
            "the cert-manager issuer of the certificate (ingress.cluster_issuer, letsencrypt-prod in the reference)",
        )
