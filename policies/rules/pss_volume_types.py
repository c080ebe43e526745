"""pss-volume-types: a pod uses only the volume types that stay inside the cluster's control.

Pod Security Standards, restricted profile, "Volume Types": every entry of `volumes` must be one
of configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret,
or image (OCI image volumes: Pod Security admission allows them from Kubernetes v1.33 on, at every
policy version, so the pack does too). Other storage (nfs, iscsi, cephfs, hostPath, gitRepo, cloud
disks...) belongs behind a PersistentVolume and a claim. A volume naming no source at all is an
emptyDir (the API server's default). Judged in restricted namespaces.

PASS:
    volumes:
      - {name: config, configMap: {name: agent-service-config}}
      - {name: data, persistentVolumeClaim: {claimName: agent-data}}

FAIL:
    volumes:
      - {name: models, nfs: {server: nfs.example.com, path: /models}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.pod_security import RESTRICTED, allowed_values
from kube.workloads import items, title
from policies import pod_security
from policies.framework import Violation, report

CONTROL = "restrictedVolumes"  # pod-security-admission's check, whose list kube/pod_security.py holds
ALLOWED_TYPES = tuple(sorted(allowed_values(CONTROL)))  # at the newest version the pack knows

ID = "pss-volume-types"
DESCRIPTION = "Every volume is of a type the restricted Pod Security Standard allows (configMap, secret, PVC...)."
REMEDIATION = (
    "Use only " + ", ".join(ALLOWED_TYPES) + " volumes; put other storage behind a PersistentVolume "
    "and mount it through a persistentVolumeClaim volume."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = REMEDIATION  # already in the manifest's own terms
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS

LEVEL = RESTRICTED


def validate(args, report_violation) -> None:
    found = pod_security.judged(args, LEVEL)
    if found is None:
        return
    manifest, template, policy = found
    resource = title(manifest)
    allowed = allowed_values(CONTROL, policy.version)
    expected = "one of " + ", ".join(sorted(allowed)) + policy.suffix()
    for index, volume in enumerate(items(template.spec.get("volumes"))):
        for source, value in volume.items():
            if source != "name" and value is not None and source not in allowed:
                report(
                    report_violation,
                    Violation(
                        resource,
                        f"{template.path}.volumes[{_label(volume, index)}]",
                        f"of type {source}",
                        expected,
                        args.urn,
                    ),
                )


def _label(item: Mapping[str, Any], index: int) -> str | int:
    """How a list item is named in a field path: its name, else its index."""
    name = item.get("name")
    return name if isinstance(name, str) and name else index
