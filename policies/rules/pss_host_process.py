"""pss-host-process: no pod runs Windows HostProcess containers.

Pod Security Standards, baseline profile, "HostProcess": a HostProcess container has privileged
access to the Windows node. `windowsOptions.hostProcess` must be unset or false in the pod's
securityContext and in every container's (init and ephemeral ones included).

PASS:
    securityContext: {runAsNonRoot: true}
    containers:
      - name: agent
        securityContext: {windowsOptions: {hostProcess: false}}

FAIL:
    securityContext: {windowsOptions: {hostProcess: true}}
    containers:
      - name: agent
"""

from __future__ import annotations

from kube.pod_security import BASELINE
from kube.workloads import containers, mapping, title
from policies import pod_security
from policies.framework import Violation, report, shown

ID = "pss-host-process"
DESCRIPTION = "No pod or container sets windowsOptions.hostProcess: true (Pod Security Standards, baseline)."
REMEDIATION = (
    "Remove securityContext.windowsOptions.hostProcess (or set it false) from the pod and every container; "
    "node-level Windows work belongs to a privileged namespace outside the platform."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Remove securityContext.windowsOptions.hostProcess (or set it false) from the pod and every "
    "container; run node-level Windows work in a namespace whose Pod Security level is privileged."
)
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS

LEVEL = BASELINE


def validate(args, report_violation) -> None:
    found = pod_security.judged(args, LEVEL)
    if found is None:
        return
    manifest, template, _ = found
    resource = title(manifest)
    contexts = [(template.path, mapping(template.spec.get("securityContext")))]
    contexts += [(c.path, mapping(c.spec.get("securityContext"))) for c in containers(template)]
    for path, context in contexts:
        value = mapping(context.get("windowsOptions")).get("hostProcess")
        if value is not None and value is not False:
            report(
                report_violation,
                Violation(
                    resource, f"{path}.securityContext.windowsOptions.hostProcess", shown(value), "false", args.urn
                ),
            )
