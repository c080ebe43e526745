"""pss-capabilities: every container drops all Linux capabilities and adds back at most NET_BIND_SERVICE.

Pod Security Standards, restricted profile, "Capabilities": every container (init and ephemeral
ones included) lists ALL in `securityContext.capabilities.drop`, and `capabilities.add` holds
nothing but NET_BIND_SERVICE. Each capability added beyond it is reported by name. Windows pods
(`spec.os.name: windows`) are exempt from the restricted control; the baseline one still limits
what they add to AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE,
SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT. In a baseline namespace only that baseline control
is judged (no drop required), in a privileged one neither.

PASS:
    containers:
      - name: gateway
        securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}

FAIL:
    containers:
      - name: agent
        securityContext: {capabilities: {drop: [NET_RAW], add: [SYS_ADMIN]}}
"""

from __future__ import annotations

from kube.pod_security import BASELINE, RESTRICTED
from kube.workloads import containers, is_list, mapping, title
from policies import pod_security
from policies.framework import Violation, is_windows, report, shown

ID = "pss-capabilities"
DESCRIPTION = (
    "Every container drops ALL capabilities and adds back none but NET_BIND_SERVICE "
    "(Pod Security Standards, restricted)."
)
REMEDIATION = (
    "Set securityContext.capabilities.drop: [ALL] on every container and remove every added capability "
    "but NET_BIND_SERVICE; our services get drop: [ALL] from container_security_context() in "
    "components/pod.py and add none."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Set securityContext.capabilities.drop: [ALL] on every container and remove every added capability "
    "but NET_BIND_SERVICE."
)
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS

LEVEL = BASELINE  # its baseline part from baseline namespaces on, the restricted part in restricted ones

RESTRICTED_ADD = ("NET_BIND_SERVICE",)
BASELINE_ADD = (
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
)


def validate(args, report_violation) -> None:
    found = pod_security.judged(args, LEVEL)
    if found is None:
        return
    manifest, template, policy = found
    resource = title(manifest)
    baseline_only = is_windows(template.spec) or not policy.enforces(RESTRICTED)
    allowed, expected = (
        (BASELINE_ADD, "adding only capabilities of the PSS baseline set")
        if baseline_only
        else (RESTRICTED_ADD, "adding nothing but NET_BIND_SERVICE")
    )
    for container in containers(template):
        capabilities = mapping(mapping(container.spec.get("securityContext")).get("capabilities"))
        where = f"{container.path}.securityContext.capabilities"
        drop = capabilities.get("drop")
        if not baseline_only and not (is_list(drop) and "ALL" in drop):
            observed = shown(list(drop)) if is_list(drop) else shown(drop)
            report(
                report_violation, Violation(resource, f"{where}.drop", observed, "a list that includes ALL", args.urn)
            )
        add = capabilities.get("add")
        for capability in add if is_list(add) else ([] if add is None else [add]):
            if capability not in allowed:
                report(
                    report_violation,
                    Violation(resource, f"{where}.add", f"adding {shown(capability)}", expected, args.urn),
                )
