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

from kube.workloads import containers, mapping, pod_template, title
from policies.framework import Violation, manifest_of, report, shown

ID = "pss-privileged"
DESCRIPTION = "No container sets securityContext.privileged: true (Pod Security Standards, baseline)."
REMEDIATION = ("Set securityContext.privileged: false (or leave it unset) on every container, init containers "
               "included; our services get privileged: false from container_security_context() in components/pod.py.")
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
        value = mapping(container.spec.get("securityContext")).get("privileged")
        if value is not None and value is not False:
            report(report_violation, Violation(resource, f"{container.path}.securityContext.privileged",
                                               shown(value), "false", args.urn))
