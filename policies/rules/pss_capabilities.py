"""pss-capabilities: every container drops all Linux capabilities and adds back at most NET_BIND_SERVICE.

Pod Security Standards, restricted profile, "Capabilities": every container (init and ephemeral
ones included) lists ALL in `securityContext.capabilities.drop`, and `capabilities.add` holds
nothing but NET_BIND_SERVICE. Each capability added beyond it is reported by name. Windows pods
(`spec.os.name: windows`) are exempt from the restricted control; the baseline one still limits
what they add to AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE,
SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT.

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

from kube.workloads import containers, is_list, mapping, pod_template, title
from policies.framework import Violation, is_windows, manifest_of, report, shown

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
OPTIONS: dict = {}

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
    manifest = manifest_of(args)
    template = pod_template(manifest) if manifest else None
    if template is None:
        return
    resource = title(manifest)
    windows = is_windows(template.spec)
    allowed, expected = (
        (BASELINE_ADD, "adding only capabilities of the PSS baseline set")
        if windows
        else (RESTRICTED_ADD, "adding nothing but NET_BIND_SERVICE")
    )
    for container in containers(template):
        capabilities = mapping(mapping(container.spec.get("securityContext")).get("capabilities"))
        where = f"{container.path}.securityContext.capabilities"
        drop = capabilities.get("drop")
        if not windows and not (is_list(drop) and "ALL" in drop):
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
