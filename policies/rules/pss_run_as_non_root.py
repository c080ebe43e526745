"""pss-run-as-non-root: the kubelet refuses to start any container as root.

Pod Security Standards, restricted profile, "Running as Non-root": `runAsNonRoot: true` in the
pod's securityContext, or else in every container's (init and ephemeral ones included). A
container may leave it unset when the pod sets it true; a container or pod setting it false fails
either way. From v1.35 on, a pod in its own user namespace (`hostUsers: false`) is exempt. Judged in
restricted namespaces, at the version the namespace declares.

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

from kube.pod_security import RESTRICTED, exempts_user_namespaces, in_user_namespace
from kube.workloads import containers, mapping, title
from policies import pod_security
from policies.framework import Violation, report, shown

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
    "false, and run the image as a non-zero UID (runAsUser or the image's USER); from Pod Security v1.35 on, "
    "a pod with hostUsers: false is exempt."
)
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS

LEVEL = RESTRICTED
CONTROL = "runAsNonRoot"  # pod-security-admission's check (kube/pod_security.py: user namespaces from v1.35)
FIELD = "securityContext.runAsNonRoot"


def validate(args, report_violation) -> None:
    found = pod_security.judged(args, LEVEL)
    if found is None:
        return
    manifest, template, policy = found
    if in_user_namespace(template.spec) and exempts_user_namespaces(CONTROL, policy.version):
        return
    resource = title(manifest)
    expected = "true" + policy.suffix()
    pod_value = mapping(template.spec.get("securityContext")).get("runAsNonRoot")
    found = [(c.path, mapping(c.spec.get("securityContext")).get("runAsNonRoot")) for c in containers(template)]
    if pod_value is None and all(value is None for _, value in found):
        report(
            report_violation,
            Violation(resource, f"{template.path}.{FIELD}", "not set (nor on any container)", expected, args.urn),
        )
        return
    if pod_value is not None and pod_value is not True:
        report(report_violation, Violation(resource, f"{template.path}.{FIELD}", shown(pod_value), expected, args.urn))
    for path, value in found:
        if value is None and pod_value is not None:
            continue  # inherits the pod's value: fine if true, reported above if not
        if value is not True:
            observed = shown(value) if value is not None else "not set (nor on the pod)"
            report(report_violation, Violation(resource, f"{path}.{FIELD}", observed, expected, args.urn))
