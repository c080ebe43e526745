"""pss-proc-mount: every container keeps the default, masked /proc.

Pod Security Standards, baseline profile, "/proc Mount Type": the runtime masks parts of /proc
that leak the node's state. `securityContext.procMount` must be unset or Default on every
container, init and ephemeral ones included. From v1.35 on, a baseline namespace lets a pod in its
own user namespace (`hostUsers: false`) set any procMount (Unmasked); a restricted namespace still
requires Default (pod-security-admission's procMount_restricted check).

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

from kube.pod_security import BASELINE, RESTRICTED, exempts_user_namespaces, in_user_namespace
from policies import pod_security
from policies.framework import check_container_security

ID = "pss-proc-mount"
DESCRIPTION = "No container sets procMount other than Default (Pod Security Standards, baseline)."
REMEDIATION = "Remove securityContext.procMount from the container, or set it to Default."
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = REMEDIATION  # already in the manifest's own terms
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS

LEVEL = BASELINE
CONTROL = "procMount"  # pod-security-admission's check (kube/pod_security.py: user namespaces from v1.35)


def validate(args, report_violation) -> None:
    found = pod_security.judged(args, LEVEL)
    if found is None:
        return
    _, template, policy = found
    relaxed = policy.level != RESTRICTED and exempts_user_namespaces(CONTROL, policy.version)
    if relaxed and in_user_namespace(template.spec):
        return
    check_container_security(
        args,
        report_violation,
        "procMount",
        lambda value: value is None or value == "Default",
        "Default" + policy.suffix(),
    )
