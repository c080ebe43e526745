"""pss-sysctls: a pod sets only the sysctls that cannot reach beyond it.

Pod Security Standards, baseline profile, "Sysctls": a sysctl is safe when it is namespaced in
the pod and isolated from the node's other pods. `securityContext.sysctls[*].name` may only be
kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start,
net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports (v1.27+),
net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl,
net.ipv4.tcp_keepalive_probes (v1.29+), net.ipv4.tcp_rmem and net.ipv4.tcp_wmem (v1.32+): the
list of the Pod Security version the pod's namespace declares (kube/pod_security.py). Judged in
baseline and restricted namespaces.

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

from kube.pod_security import BASELINE, allow_list_text, allowed_values
from kube.workloads import is_list, mapping, title
from policies import pod_security
from policies.framework import Violation, report, shown

LEVEL = BASELINE
CONTROL = "sysctls"  # pod-security-admission's check, whose per-version lists kube/pod_security.py holds
SAFE_SYSCTLS = allowed_values(CONTROL)  # at the newest version the pack knows

ID = "pss-sysctls"
DESCRIPTION = "A pod's securityContext.sysctls name only safe sysctls (Pod Security Standards, baseline)."
REMEDIATION = (
    "Remove the sysctl from securityContext.sysctls; only these are safe: "
    + allow_list_text(CONTROL)
    + ". Node-level tuning belongs to the node image, not the pod."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = REMEDIATION  # already in the manifest's own terms
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS


def validate(args, report_violation) -> None:
    found = pod_security.judged(args, LEVEL)
    if found is None:
        return
    manifest, template, policy = found
    resource = title(manifest)
    safe = allowed_values(CONTROL, policy.version)
    expected = "setting only safe sysctls" + policy.suffix()
    sysctls = mapping(template.spec.get("securityContext")).get("sysctls")
    for entry in sysctls if is_list(sysctls) else ():
        name = mapping(entry).get("name")
        if name not in safe:
            setting = f"setting {shown(name)}" if name is not None else "setting a sysctl with no name"
            report(
                report_violation,
                Violation(resource, f"{template.path}.securityContext.sysctls", setting, expected, args.urn),
            )
