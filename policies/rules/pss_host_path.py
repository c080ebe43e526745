"""pss-host-path: no pod mounts a directory of the node.

Pod Security Standards, baseline profile, "HostPath Volumes": a hostPath volume exposes the
node's filesystem (its container runtime socket, its kubelet credentials) to the pod. No entry of
`volumes` may set `hostPath`.

PASS:
    volumes:
      - name: tmp
        emptyDir: {sizeLimit: 256Mi}

FAIL:
    volumes:
      - name: docker
        hostPath: {path: /var/run/docker.sock, type: Socket}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.pod_security import BASELINE
from kube.workloads import items, mapping, title
from policies import pod_security
from policies.framework import Violation, report, shown

ID = "pss-host-path"
DESCRIPTION = "No pod has a hostPath volume (Pod Security Standards, baseline)."
REMEDIATION = (
    "Replace the hostPath volume by an emptyDir, configMap, secret or persistentVolumeClaim volume; "
    "our services' only scratch space is the emptyDir /tmp of components/pod.py (pod.tmp_size)."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Replace the hostPath volume by an emptyDir, configMap, secret, projected or persistentVolumeClaim volume."
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
    for index, volume in enumerate(items(template.spec.get("volumes"))):
        if volume.get("hostPath") is None:
            continue
        host_path = mapping(volume["hostPath"]).get("path")
        observed = f"set to {shown(host_path)}" if host_path is not None else "set"
        report(
            report_violation,
            Violation(
                resource, f"{template.path}.volumes[{_label(volume, index)}].hostPath", observed, "unset", args.urn
            ),
        )


def _label(item: Mapping[str, Any], index: int) -> str | int:
    """How a list item is named in a field path: its name, else its index."""
    name = item.get("name")
    return name if isinstance(name, str) and name else index
