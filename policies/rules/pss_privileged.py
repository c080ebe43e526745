"""pss-privileged: no container runs privileged.

Pod Security Standards, baseline profile, "Privileged Containers": a privileged container has
nearly every power of the node's root user. `securityContext.privileged` must be unset or false
on every container, init and ephemeral ones included.

PASS:
    containers:
      - name: agent
        securityContext: {privileged: false}

FAIL:
    initContainers:
      - name: setup
        securityContext: {privileged: true}
"""

from __future__ import annotations

from kube.pod_security import BASELINE
from policies import pod_security
from policies.framework import check_container_security

ID = "pss-privileged"
DESCRIPTION = "No container sets securityContext.privileged: true (Pod Security Standards, baseline)."
REMEDIATION = (
    "Set securityContext.privileged: false (or leave it unset) on every container, init containers "
    "included; our services get privileged: false from container_security_context() in components/pod.py."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Set securityContext.privileged: false (or leave it unset) on every container, init and ephemeral "
    "containers included."
)
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS

LEVEL = BASELINE


def validate(args, report_violation) -> None:
    if pod_security.judged(args, LEVEL) is None:
        return
    check_container_security(
        args, report_violation, "privileged", lambda value: value is None or value is False, "false"
    )
