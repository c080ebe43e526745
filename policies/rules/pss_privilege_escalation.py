"""pss-privilege-escalation: no container may gain more privileges than its parent process.

Pod Security Standards, restricted profile, "Privilege Escalation": every container (init and
ephemeral ones included) sets `securityContext.allowPrivilegeEscalation: false`. Unset counts as
allowed, because Linux allows escalation (setuid binaries) unless no_new_privs is set.

PASS:
    containers:
      - name: agent
        securityContext: {allowPrivilegeEscalation: false}

FAIL:
    containers:
      - name: agent
        securityContext: {runAsNonRoot: true}   # allowPrivilegeEscalation not set
"""

from __future__ import annotations

from kube.workloads import containers, mapping, pod_template, title
from policies.framework import Violation, manifest_of, report, shown

ID = "pss-privilege-escalation"
DESCRIPTION = "Every container sets allowPrivilegeEscalation: false (Pod Security Standards, restricted)."
REMEDIATION = "Set securityContext.allowPrivilegeEscalation: false on every container, init containers included."
ENFORCEMENT = "mandatory"
SCOPE = "resource"
OPTIONS: dict = {}


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    template = pod_template(manifest) if manifest else None
    if template is None:
        return
    for container in containers(template):
        value = mapping(container.spec.get("securityContext")).get("allowPrivilegeEscalation")
        if value is not False:
            report(report_violation, Violation(title(manifest), f"{container.path}.securityContext.allowPrivilegeEscalation",
                                               shown(value), "false", args.urn))
