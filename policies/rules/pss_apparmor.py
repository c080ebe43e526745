"""pss-apparmor: no pod or container turns AppArmor off or picks an unknown profile.

Pod Security Standards, baseline profile, "AppArmor": on AppArmor hosts the runtime's default
profile confines every container. `appArmorProfile.type` in the pod's securityContext and in
every container's (init and ephemeral ones included) must be unset, RuntimeDefault or Localhost,
never Unconfined. The legacy annotations
`container.apparmor.security.beta.kubernetes.io/<container>` on the pod must be empty,
`runtime/default` or `localhost/<profile>`, never `unconfined`. The fields are new in v1.30, and Pod
Security admission checks them at every policy version since then: so does the pack. Judged in
baseline and restricted namespaces.

PASS:
    metadata:
      annotations: {container.apparmor.security.beta.kubernetes.io/agent: runtime/default}
    spec:
      securityContext: {appArmorProfile: {type: RuntimeDefault}}

FAIL:
    metadata:
      annotations: {container.apparmor.security.beta.kubernetes.io/agent: unconfined}
    spec:
      containers:
        - name: agent
          securityContext: {appArmorProfile: {type: Unconfined}}
"""

from __future__ import annotations

from typing import Any

from kube.pod_security import BASELINE
from kube.workloads import containers, mapping, title
from policies import pod_security
from policies.framework import Violation, report, shown

ID = "pss-apparmor"
DESCRIPTION = (
    "AppArmor stays on: appArmorProfile.type and the legacy AppArmor annotations name only the runtime "
    "default or a localhost profile (Pod Security Standards, baseline)."
)
REMEDIATION = (
    "Set appArmorProfile.type to RuntimeDefault (or Localhost with a localhostProfile), or leave it unset; "
    "set the container.apparmor.security.beta.kubernetes.io/<container> annotation to runtime/default or "
    "localhost/<profile>, or drop it."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = REMEDIATION  # already in the manifest's own terms
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS

LEVEL = BASELINE
CONTROL = "appArmorProfile"  # pod-security-admission's check (kube/pod_security.py: its fields from v1.30)

ALLOWED_TYPES = ("RuntimeDefault", "Localhost")
ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"


def validate(args, report_violation) -> None:
    found = pod_security.judged(args, LEVEL)
    if found is None:
        return
    manifest, template, _ = found
    resource = title(manifest)
    metadata = template.path[: -len("spec")] + "metadata"  # the pod's metadata sits beside its spec
    for key, value in template.annotations.items():
        if isinstance(key, str) and key.startswith(ANNOTATION_PREFIX) and not _allowed_annotation(value):
            report(
                report_violation,
                Violation(
                    resource,
                    f"{metadata}.annotations[{key}]",
                    shown(value),
                    "runtime/default or localhost/<profile>",
                    args.urn,
                ),
            )
    contexts = [(template.path, template.spec.get("securityContext"))]
    contexts += [(c.path, c.spec.get("securityContext")) for c in containers(template)]
    for path, context in contexts:
        profile = mapping(context).get("appArmorProfile")
        if profile is None:
            continue
        kind = mapping(profile).get("type")
        if kind not in ALLOWED_TYPES:
            report(
                report_violation,
                Violation(
                    resource,
                    f"{path}.securityContext.appArmorProfile.type",
                    shown(kind),
                    "RuntimeDefault or Localhost",
                    args.urn,
                ),
            )


def _allowed_annotation(value: Any) -> bool:
    return isinstance(value, str) and (value in ("", "runtime/default") or value.startswith("localhost/"))
