"""pss-privilege-escalation: no container may gain more privileges than its parent process.

Pod Security Standards, restricted profile, "Privilege Escalation": every container (init and
ephemeral ones included) sets `securityContext.allowPrivilegeEscalation: false`. Unset counts as
allowed, because Linux allows escalation (setuid binaries) unless no_new_privs is set. Windows
pods (`spec.os.name: windows`) are exempt, as the standard says.

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

from kube.pod_security import RESTRICTED
from policies import pod_security
from policies.framework import check_container_security

ID = "pss-privilege-escalation"
DESCRIPTION = "Every container sets allowPrivilegeEscalation: false (Pod Security Standards, restricted)."
REMEDIATION = "Set securityContext.allowPrivilegeEscalation: false on every container, init containers included."
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = REMEDIATION  # already in the manifest's own terms
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS

LEVEL = RESTRICTED


def validate(args, report_violation) -> None:
    if pod_security.judged(args, LEVEL) is None:
        return
    # The standard exempts Windows pods from this control.
    check_container_security(
        args, report_violation, "allowPrivilegeEscalation", lambda value: value is False, "false", exempt_windows=True
    )
