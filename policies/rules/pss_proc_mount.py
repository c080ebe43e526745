"""pss-proc-mount: every container keeps the default, masked /proc.

Pod Security Standards, baseline profile, "/proc Mount Type": the runtime masks parts of /proc
that leak the node's state. `securityContext.procMount` must be unset or Default on every
container, init and ephemeral ones included.

PASS:
    containers:
      - name: agent
        securityContext: {procMount: Default}

FAIL:
    containers:
      - name: builder
        securityContext: {procMount: Unmasked}
"""

from __future__ import annotations

from kube.workloads import containers, mapping, pod_template, title
from policies.framework import Violation, manifest_of, report, shown

ID = "pss-proc-mount"
DESCRIPTION = "No container sets procMount other than Default (Pod Security Standards, baseline)."
REMEDIATION = "Remove securityContext.procMount from the container, or set it to Default."
ENFORCEMENT = "mandatory"
SCOPE = "resource"
OPTIONS: dict = {}


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    template = pod_template(manifest) if manifest else None
    if template is None:
        return
    resource = title(manifest)
    for container in containers(template):
        value = mapping(container.spec.get("securityContext")).get("procMount")
        if value is not None and value != "Default":
            report(report_violation, Violation(resource, f"{container.path}.securityContext.procMount",
                                               shown(value), "Default", args.urn))
