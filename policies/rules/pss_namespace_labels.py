"""pss-namespace-labels: a Namespace's Pod Security labels carry values the API server accepts.

Pod Security admission reads six labels of a Namespace: `pod-security.kubernetes.io/<mode>` for
the modes enforce, audit and warn, each privileged, baseline or restricted, and
`pod-security.kubernetes.io/<mode>-version`, each `latest` or `v1.<minor>` (v1.29; not 1.29, not
v1.029). The API server refuses to create a Namespace with any other value, or to change a label
to one. Where a namespace has one anyway, admission judges its pods as restricted and latest
(api.PolicyToEvaluate), and so do the Pod Security rules of this pack.

PASS:
    kind: Namespace
    metadata:
      name: shop
      labels:
        pod-security.kubernetes.io/enforce: baseline
        pod-security.kubernetes.io/enforce-version: v1.29

FAIL:
    kind: Namespace
    metadata:
      name: shop
      labels:
        pod-security.kubernetes.io/enforce: strict
        pod-security.kubernetes.io/enforce-version: banana
"""

from __future__ import annotations

from kube.pod_security import LABEL_PREFIX, LEVELS, MODES, NEWEST, labels_of, parse_level, parse_version, version_text
from kube.workloads import title
from policies.framework import Violation, manifest_of, report, shown

ID = "pss-namespace-labels"
DESCRIPTION = "Every pod-security.kubernetes.io label of a Namespace names a level or a version the API server accepts."
REMEDIATION = (
    "Set pod-security.kubernetes.io/enforce, audit and warn to privileged, baseline or restricted, and their "
    "-version labels to latest or v1.<minor>; the platform's namespaces get restricted and latest from "
    "components/platform_namespace.py."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Set pod-security.kubernetes.io/enforce, audit and warn to privileged, baseline or restricted, and their "
    "-version labels to latest or v1.<minor> (for example v1.29)."
)
SCOPE = "resource"
OPTIONS: dict = {}

LEVEL_EXPECTED = ", ".join(LEVELS[:-1]) + " or " + LEVELS[-1]
VERSION_EXPECTED = f"latest or v1.<minor> (e.g. {version_text(NEWEST)})"


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    if manifest is None or manifest.get("kind") != "Namespace":
        return
    labels = labels_of(manifest)
    for mode in MODES:
        for key, valid, expected in (
            (LABEL_PREFIX + mode, parse_level, LEVEL_EXPECTED),
            (f"{LABEL_PREFIX}{mode}-version", parse_version, VERSION_EXPECTED),
        ):
            value = labels.get(key)
            if value is not None and valid(value) is None:
                where = f"metadata.labels[{key}]"
                report(report_violation, Violation(title(manifest), where, shown(value), expected, args.urn))
