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

from policies.framework import check_container_security

ID = "pss-proc-mount"
DESCRIPTION = "No container sets procMount other than Default (Pod Security Standards, baseline)."
REMEDIATION = "Remove securityContext.procMount from the container, or set it to Default."
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = REMEDIATION  # already in the manifest's own terms
SCOPE = "resource"
OPTIONS: dict = {}


def validate(args, report_violation) -> None:
    check_container_security(
        args, report_violation, "procMount", lambda value: value is None or value == "Default", "Default"
    )
