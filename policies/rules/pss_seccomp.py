"""pss-seccomp: every container runs under a seccomp profile, never Unconfined.

Pod Security Standards, restricted profile, "Seccomp" (and baseline, which forbids Unconfined):
`seccompProfile.type` must be RuntimeDefault or Localhost in the pod's securityContext, or else in
every container's (init and ephemeral ones included). A container may leave it unset when the pod
sets an allowed profile; Unconfined (or any other type) fails wherever it is set. Windows pods
(`spec.os.name: windows`) have no seccomp: for them only a set type is checked.

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

from kube.workloads import containers, mapping, pod_template, title
from policies.framework import Violation, manifest_of, report, shown

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
OPTIONS: dict = {}

ALLOWED = ("RuntimeDefault", "Localhost")
FIELD = "securityContext.seccompProfile.type"
EXPECTED = "RuntimeDefault or Localhost"


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    template = pod_template(manifest) if manifest else None
    if template is None:
        return
    resource = title(manifest)
    pod_type = _profile_type(template.spec)
    found = [(c.path, _profile_type(c.spec)) for c in containers(template)]
    windows = mapping(template.spec.get("os")).get("name") == "windows"
    if not windows and pod_type is None and all(kind is None for _, kind in found):
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
        elif kind is None and pod_type is None and not windows:
            report(
                report_violation, Violation(resource, f"{path}.{FIELD}", "not set (nor on the pod)", EXPECTED, args.urn)
            )


def _profile_type(spec: Mapping[str, Any]) -> Any:
    return mapping(mapping(spec.get("securityContext")).get("seccompProfile")).get("type")
