"""pss-selinux: no pod or container picks a privileged SELinux type, user or role.

Pod Security Standards, baseline profile, "SELinux": `seLinuxOptions.type` in the pod's
securityContext and in every container's (init and ephemeral ones included) must be unset, empty
or one of container_t, container_init_t, container_kvm_t, or container_engine_t from v1.31 on (the
version the pod's namespace declares); `seLinuxOptions.user` and `seLinuxOptions.role` must be unset
or empty. The level (MCS categories) is free. Judged in baseline and restricted namespaces.

PASS:
    securityContext:
      seLinuxOptions: {level: "s0:c123,c456"}
    containers:
      - name: agent
        securityContext: {seLinuxOptions: {type: container_t}}

FAIL:
    containers:
      - name: agent
        securityContext: {seLinuxOptions: {type: spc_t, user: system_u}}
"""

from __future__ import annotations

from kube.pod_security import BASELINE, allowed_values
from kube.workloads import containers, mapping, title
from policies import pod_security
from policies.framework import Violation, report, shown

ID = "pss-selinux"
DESCRIPTION = (
    "seLinuxOptions name only an allowed container type and no user or role (Pod Security Standards, baseline)."
)
REMEDIATION = (
    "Drop seLinuxOptions.user and seLinuxOptions.role, and leave seLinuxOptions.type unset or set it to "
    "container_t, container_init_t, container_kvm_t or container_engine_t; the runtime's default label "
    "is what our services run with."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Drop seLinuxOptions.user and seLinuxOptions.role, and leave seLinuxOptions.type unset or set it to "
    "container_t, container_init_t, container_kvm_t or container_engine_t."
)
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS

LEVEL = BASELINE
CONTROL = "seLinuxOptions"  # pod-security-admission's check, whose per-version lists kube/pod_security.py holds
ALLOWED_TYPES = allowed_values(CONTROL)  # at the newest version the pack knows


def validate(args, report_violation) -> None:
    found = pod_security.judged(args, LEVEL)
    if found is None:
        return
    manifest, template, policy = found
    resource = title(manifest)
    allowed = allowed_values(CONTROL, policy.version)
    expected = "unset or one of " + ", ".join(allowed) + policy.suffix()
    contexts = [(template.path, template.spec.get("securityContext"))]
    contexts += [(c.path, c.spec.get("securityContext")) for c in containers(template)]
    for path, context in contexts:
        options = mapping(mapping(context).get("seLinuxOptions"))
        where = f"{path}.securityContext.seLinuxOptions"
        kind = options.get("type")
        if kind not in (None, "", *allowed):
            report(report_violation, Violation(resource, f"{where}.type", shown(kind), expected, args.urn))
        for field in ("user", "role"):
            if options.get(field) not in (None, ""):
                report(
                    report_violation, Violation(resource, f"{where}.{field}", shown(options[field]), "unset", args.urn)
                )
