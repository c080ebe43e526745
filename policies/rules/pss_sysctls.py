"""pss-sysctls: a pod sets only the sysctls that cannot reach beyond it.

Pod Security Standards, baseline profile, "Sysctls": a sysctl is safe when it is namespaced in
the pod and isolated from the node's other pods. `securityContext.sysctls[*].name` may only be
kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start,
net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports (v1.27+),
net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl,
net.ipv4.tcp_keepalive_probes (v1.29+), net.ipv4.tcp_rmem and net.ipv4.tcp_wmem (v1.32+; Pod
Security admission allows them from v1.32 on).

PASS:
    securityContext:
      sysctls:
        - {name: net.ipv4.ip_local_port_range, value: "1024 65000"}

FAIL:
    securityContext:
      sysctls:
        - {name: net.core.somaxconn, value: "4096"}
"""

from __future__ import annotations

from kube.workloads import is_list, mapping, pod_template, title
from policies.framework import Violation, manifest_of, report, shown

SAFE_SYSCTLS = (
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
)

ID = "pss-sysctls"
DESCRIPTION = "A pod's securityContext.sysctls name only safe sysctls (Pod Security Standards, baseline)."
REMEDIATION = (
    "Remove the sysctl from securityContext.sysctls; only these are safe: "
    + ", ".join(SAFE_SYSCTLS)
    + ". Node-level tuning belongs to the node image, not the pod."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = REMEDIATION  # already in the manifest's own terms
SCOPE = "resource"
OPTIONS: dict = {}


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    template = pod_template(manifest) if manifest else None
    if template is None:
        return
    resource = title(manifest)
    sysctls = mapping(template.spec.get("securityContext")).get("sysctls")
    for entry in sysctls if is_list(sysctls) else ():
        name = mapping(entry).get("name")
        if name not in SAFE_SYSCTLS:
            setting = f"setting {shown(name)}" if name is not None else "setting a sysctl with no name"
            report(
                report_violation,
                Violation(
                    resource, f"{template.path}.securityContext.sysctls", setting, "setting only safe sysctls", args.urn
                ),
            )
