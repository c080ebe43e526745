"""pss-namespace-policy: a namespace whose pods the Pod Security rules judge less than fully is reported.

The Pod Security rules judge a namespace's pods by its `pod-security.kubernetes.io/enforce` level
and `enforce-version`: in a baseline namespace only the baseline controls, in a privileged one
none. So that every report shows what was not judged, this rule reports a Namespace whose level
is below restricted, and one whose version lies outside those the pack knows (v1.25 to the newest,
see kube/pod_security.py): an older one is judged as v1.25, a newer one as the newest, as an
admission controller of that release judges it. Invalid values are pss-namespace-labels' to report.

PASS:
    kind: Namespace
    metadata:
      name: shop
      labels:
        pod-security.kubernetes.io/enforce: restricted
        pod-security.kubernetes.io/enforce-version: v1.30

FAIL:
    kind: Namespace
    metadata:
      name: ingress-nginx
      labels:
        pod-security.kubernetes.io/enforce: privileged
"""

from __future__ import annotations

from kube.pod_security import (
    BASELINE,
    ENFORCE_LABEL,
    ENFORCE_VERSION_LABEL,
    KNOWN_VERSIONS,
    NEWEST,
    OLDEST,
    PRIVILEGED,
    labels_of,
    parse_version,
    version_text,
)
from kube.workloads import title
from policies.framework import Violation, manifest_of, report, shown

ID = "pss-namespace-policy"
DESCRIPTION = (
    "Reports each Namespace whose pods the Pod Security rules judge below the restricted level, or at a version "
    "other than the one it declares."
)
REMEDIATION = (
    "Label the namespace pod-security.kubernetes.io/enforce: restricted once its workloads meet the restricted "
    "standard, and set enforce-version to latest or a version the pack knows; the platform's namespaces take "
    "their level from platform.pod_security in environments/defaults.yaml."
)
ENFORCEMENT = "advisory"
GENERIC = "advisory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Label the namespace pod-security.kubernetes.io/enforce: restricted once its workloads meet the restricted "
    "standard, and set pod-security.kubernetes.io/enforce-version to latest or a version from "
    f"{version_text(OLDEST)} to {version_text(NEWEST)}."
)
SCOPE = "resource"
OPTIONS: dict = {}

NOT_JUDGED = {
    BASELINE: "restricted for the restricted controls to judge its pods (only the baseline controls do)",
    PRIVILEGED: "restricted for the Pod Security controls to judge its pods (none do)",
}


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    if manifest is None or manifest.get("kind") != "Namespace":
        return
    resource, labels = title(manifest), labels_of(manifest)
    level = labels.get(ENFORCE_LABEL)
    if level in NOT_JUDGED:
        report(
            report_violation,
            Violation(resource, f"metadata.labels[{ENFORCE_LABEL}]", shown(level), NOT_JUDGED[level], args.urn),
        )
    version = parse_version(labels.get(ENFORCE_VERSION_LABEL))
    if level != PRIVILEGED and version is not None and version not in KNOWN_VERSIONS:
        judged = version_text(OLDEST if version < OLDEST else NEWEST)
        expected = (
            f"latest or {version_text(OLDEST)} to {version_text(NEWEST)} (the versions the pack knows; "
            f"its pods are judged as {judged})"
        )
        where = f"metadata.labels[{ENFORCE_VERSION_LABEL}]"
        report(
            report_violation,
            Violation(resource, where, shown(labels.get(ENFORCE_VERSION_LABEL)), expected, args.urn),
        )
