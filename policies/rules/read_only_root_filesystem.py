"""read-only-root-filesystem: every container runs on a read-only root filesystem.

Stricter than the Pod Security Standards (the platform's pod security requirement): a container
that cannot write its own image cannot drop a tool or alter its binaries. Every container, init
and ephemeral ones included, sets `securityContext.readOnlyRootFilesystem: true`; writable paths
are explicit volumes (an emptyDir /tmp).

PASS:
    containers:
      - name: agent
        securityContext: {readOnlyRootFilesystem: true}
        volumeMounts: [{name: tmp, mountPath: /tmp}]

FAIL:
    containers:
      - name: agent
        securityContext: {runAsNonRoot: true}   # readOnlyRootFilesystem not set
"""

from __future__ import annotations

from policies.framework import check_container_security

ID = "read-only-root-filesystem"
DESCRIPTION = "Every container sets securityContext.readOnlyRootFilesystem: true (stricter than the PSS)."
REMEDIATION = (
    "Set securityContext.readOnlyRootFilesystem: true on every container and mount an emptyDir where it "
    "must write; our services get it from container_security_context() in components/pod.py, with a "
    "/tmp of pod.tmp_size (environments/defaults.yaml)."
)
ENFORCEMENT = "mandatory"
GENERIC = "advisory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Set securityContext.readOnlyRootFilesystem: true on every container and mount an emptyDir volume "
    "where it must write (/tmp, caches)."
)
SCOPE = "resource"
OPTIONS: dict = {}


def validate(args, report_violation) -> None:
    check_container_security(args, report_violation, "readOnlyRootFilesystem", lambda value: value is True, "true")
