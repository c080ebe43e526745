"""pss-host-namespaces: no pod shares the node's network, process or IPC namespace.

Pod Security Standards, baseline profile, "Host Namespaces": `hostNetwork`, `hostPID` and
`hostIPC` must be unset or false. Each field set to true is reported on its own.

PASS:
    spec:
      hostNetwork: false
      containers:
        - name: agent

FAIL:
    spec:
      hostNetwork: true
      hostPID: true
      containers:
        - name: node-agent
"""

from __future__ import annotations

from kube.pod_security import BASELINE
from kube.workloads import title
from policies import pod_security
from policies.framework import Violation, report, shown

ID = "pss-host-namespaces"
DESCRIPTION = "No pod sets hostNetwork, hostPID or hostIPC to true (Pod Security Standards, baseline)."
REMEDIATION = (
    "Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them false); expose ports "
    "through a Service instead of the node's network."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them false); expose ports through "
    "a Service instead of the node's network."
)
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS

LEVEL = BASELINE

FIELDS = ("hostNetwork", "hostPID", "hostIPC")


def validate(args, report_violation) -> None:
    found = pod_security.judged(args, LEVEL)
    if found is None:
        return
    manifest, template, _ = found
    resource = title(manifest)
    for field in FIELDS:
        value = template.spec.get(field)
        if value is not None and value is not False:
            report(report_violation, Violation(resource, f"{template.path}.{field}", shown(value), "false", args.urn))
