"""pss-run-as-user: no pod or container runs as UID 0.

Pod Security Standards, restricted profile, "Running as Non-root user": `runAsUser` in the pod's
securityContext and in every container's (init and ephemeral ones included) must be unset or a
non-zero UID. (Unset leaves the image's user, which pss-run-as-non-root keeps from being root.)
From v1.35 on, a pod in its own user namespace (`hostUsers: false`) is exempt: its UID 0 is root
inside that namespace only. Judged in restricted namespaces, at the version the namespace declares.

PASS:
    securityContext: {runAsNonRoot: true, runAsUser: 1000}
    containers:
      - name: agent

FAIL:
    securityContext: {runAsUser: 0}
    containers:
      - name: agent
        securityContext: {runAsUser: 0}
"""

from __future__ import annotations

from kube.pod_security import RESTRICTED, exempts_user_namespaces, in_user_namespace
from kube.workloads import containers, mapping, number, title
from policies import pod_security
from policies.framework import Violation, report, shown

ID = "pss-run-as-user"
DESCRIPTION = "No pod or container sets runAsUser: 0 (Pod Security Standards, restricted)."
REMEDIATION = (
    "Set runAsUser to a non-zero UID, or leave it unset; our services take it from pod.run_as_user "
    "in environments/defaults.yaml (1000)."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Set runAsUser to a non-zero UID on the pod and its containers, or leave it unset and give the image "
    "a non-root USER; from Pod Security v1.35 on, a pod with hostUsers: false may run as UID 0."
)
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS

LEVEL = RESTRICTED
CONTROL = "runAsUser"  # pod-security-admission's check (kube/pod_security.py: user namespaces from v1.35)


def validate(args, report_violation) -> None:
    found = pod_security.judged(args, LEVEL)
    if found is None:
        return
    manifest, template, policy = found
    if in_user_namespace(template.spec) and exempts_user_namespaces(CONTROL, policy.version):
        return
    resource = title(manifest)
    expected = "a non-zero UID" + policy.suffix()
    contexts = [(template.path, template.spec.get("securityContext"))]
    contexts += [(c.path, c.spec.get("securityContext")) for c in containers(template)]
    for path, context in contexts:
        value = mapping(context).get("runAsUser")
        if value is not None and not number(value):  # 0, or not a number at all
            report(
                report_violation,
                Violation(resource, f"{path}.securityContext.runAsUser", shown(value), expected, args.urn),
            )
