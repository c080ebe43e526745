"""pss-run-as-user: no pod or container runs as UID 0.

Pod Security Standards, restricted profile, "Running as Non-root user": `runAsUser` in the pod's
securityContext and in every container's (init and ephemeral ones included) must be unset or a
non-zero UID. (Unset leaves the image's user, which pss-run-as-non-root keeps from being root.)

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

from kube.workloads import containers, mapping, number, pod_template, title
from policies.framework import Violation, manifest_of, report, shown

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
    "a non-root USER."
)
SCOPE = "resource"
OPTIONS: dict = {}


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    template = pod_template(manifest) if manifest else None
    if template is None:
        return
    resource = title(manifest)
    contexts = [(template.path, template.spec.get("securityContext"))]
    contexts += [(c.path, c.spec.get("securityContext")) for c in containers(template)]
    for path, context in contexts:
        value = mapping(context).get("runAsUser")
        if value is not None and not number(value):  # 0, or not a number at all
            report(
                report_violation,
                Violation(resource, f"{path}.securityContext.runAsUser", shown(value), "a non-zero UID", args.urn),
            )
