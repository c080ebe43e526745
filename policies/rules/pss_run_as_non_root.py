"""pss-run-as-non-root: the kubelet refuses to start any container as root.

Pod Security Standards, restricted profile, "Running as Non-root": `runAsNonRoot: true` in the
pod's securityContext, or else in every container's (init and ephemeral ones included). A
container may leave it unset when the pod sets it true; a container or pod setting it false fails
either way.

PASS:
    securityContext: {runAsNonRoot: true}
    containers:
      - name: agent

FAIL:
    securityContext: {runAsNonRoot: true}
    initContainers:
      - name: migrate
        securityContext: {runAsNonRoot: false}
"""

from __future__ import annotations

from kube.workloads import containers, mapping, pod_template, title
from policies.framework import Violation, manifest_of, report, shown

ID = "pss-run-as-non-root"
DESCRIPTION = (
    "runAsNonRoot is true for the pod or for every container, and false nowhere (Pod Security Standards, restricted)."
)
REMEDIATION = (
    "Set securityContext.runAsNonRoot: true on the pod (or on every container) and remove any "
    "runAsNonRoot: false; our services get it from pod_security_context() in components/pod.py."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Set securityContext.runAsNonRoot: true on the pod (or on every container), remove any runAsNonRoot: "
    "false, and run the image as a non-zero UID (runAsUser or the image's USER)."
)
SCOPE = "resource"
OPTIONS: dict = {}

FIELD = "securityContext.runAsNonRoot"


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    template = pod_template(manifest) if manifest else None
    if template is None:
        return
    resource = title(manifest)
    pod_value = mapping(template.spec.get("securityContext")).get("runAsNonRoot")
    found = [(c.path, mapping(c.spec.get("securityContext")).get("runAsNonRoot")) for c in containers(template)]
    if pod_value is None and all(value is None for _, value in found):
        report(
            report_violation,
            Violation(resource, f"{template.path}.{FIELD}", "not set (nor on any container)", "true", args.urn),
        )
        return
    if pod_value is not None and pod_value is not True:
        report(report_violation, Violation(resource, f"{template.path}.{FIELD}", shown(pod_value), "true", args.urn))
    for path, value in found:
        if value is None and pod_value is not None:
            continue  # inherits the pod's value: fine if true, reported above if not
        if value is not True:
            observed = shown(value) if value is not None else "not set (nor on the pod)"
            report(report_violation, Violation(resource, f"{path}.{FIELD}", observed, "true", args.urn))
