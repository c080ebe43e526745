"""pss-seccomp: every container runs under a seccomp profile, never Unconfined.

Pod Security Standards, restricted profile, "Seccomp" (and baseline, which forbids Unconfined):
`seccompProfile.type` must be RuntimeDefault or Localhost in the pod's securityContext, or else in
every container's (init and ephemeral ones included). A container may leave it unset when the pod
sets an allowed profile; Unconfined (or any other type) fails wherever it is set. Windows pods
(`spec.os.name: windows`) have no seccomp: for them only a set type is checked, as in a baseline
namespace (the baseline control); a privileged namespace is not judged.

PASS:
    securityContext:
      seccompProfile: {type: RuntimeDefault}
    containers:
      - name: agent

FAIL:
    containers:
      - name: agent
        securityContext: {seccompProfile: {type: Unconfined}}
      - name: sidecar                                         # no profile here nor on the pod
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.pod_security import BASELINE, RESTRICTED
from kube.workloads import containers, mapping, title
from policies import pod_security
from policies.framework import Violation, is_windows, report, shown

ID = "pss-seccomp"
DESCRIPTION = (
    "seccompProfile.type is RuntimeDefault or Localhost for the pod or for every container, and "
    "Unconfined nowhere (Pod Security Standards, restricted)."
)
REMEDIATION = (
    "Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or on every container) and "
    "remove any Unconfined profile; our services get RuntimeDefault from components/pod.py."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or on every container) and "
    "remove any Unconfined profile."
)
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS

LEVEL = BASELINE  # a set type from baseline namespaces on; a required one in restricted namespaces

ALLOWED = ("RuntimeDefault", "Localhost")
FIELD = "securityContext.seccompProfile.type"
EXPECTED = "RuntimeDefault or Localhost"


def validate(args, report_violation) -> None:
    found = pod_security.judged(args, LEVEL)
    if found is None:
        return
    manifest, template, policy = found
    resource = title(manifest)
    pod_type = _profile_type(template.spec)
    found = [(c.path, _profile_type(c.spec)) for c in containers(template)]
    baseline_only = is_windows(template.spec) or not policy.enforces(RESTRICTED)
    if not baseline_only and pod_type is None and all(kind is None for _, kind in found):
        report(
            report_violation,
            Violation(resource, f"{template.path}.{FIELD}", "not set (nor on any container)", EXPECTED, args.urn),
        )
        return
    if pod_type is not None and pod_type not in ALLOWED:
        report(report_violation, Violation(resource, f"{template.path}.{FIELD}", shown(pod_type), EXPECTED, args.urn))
    for path, kind in found:
        if kind is not None and kind not in ALLOWED:
            report(report_violation, Violation(resource, f"{path}.{FIELD}", shown(kind), EXPECTED, args.urn))
        elif kind is None and pod_type is None and not baseline_only:
            report(
                report_violation, Violation(resource, f"{path}.{FIELD}", "not set (nor on the pod)", EXPECTED, args.urn)
            )


def _profile_type(spec: Mapping[str, Any]) -> Any:
    return mapping(mapping(spec.get("securityContext")).get("seccompProfile")).get("type")
