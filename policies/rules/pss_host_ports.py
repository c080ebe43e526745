"""pss-host-ports: no container binds a port of the node.

Pod Security Standards, baseline profile, "Host Ports": a hostPort publishes the container on the
node's own address, around Services and NetworkPolicies. Every `ports[*].hostPort` of every
container (init and ephemeral ones included) must be unset or 0.

PASS:
    containers:
      - name: agent
        ports:
          - {name: http, containerPort: 8080}

FAIL:
    containers:
      - name: agent
        ports:
          - {name: http, containerPort: 8080, hostPort: 8080}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.pod_security import BASELINE
from kube.workloads import containers, items, number, title
from policies import pod_security
from policies.framework import Violation, report, shown

ID = "pss-host-ports"
DESCRIPTION = "No container port sets a hostPort other than 0 (Pod Security Standards, baseline)."
REMEDIATION = (
    "Remove hostPort from the container's ports and reach the pod through a Service (or an Ingress); "
    "our services publish http and grpc through their Service only."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = "Remove hostPort from the container's ports and reach the pod through a Service (or an Ingress)."
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS

LEVEL = BASELINE


def validate(args, report_violation) -> None:
    found = pod_security.judged(args, LEVEL)
    if found is None:
        return
    manifest, template, _ = found
    resource = title(manifest)
    for container in containers(template):
        for index, port in enumerate(items(container.spec.get("ports"))):
            value = port.get("hostPort")
            if value is not None and number(value) != 0:
                where = f"{container.path}.ports[{_label(port, index)}].hostPort"
                report(report_violation, Violation(resource, where, shown(value), "0 or unset", args.urn))


def _label(item: Mapping[str, Any], index: int) -> str | int:
    """How a list item is named in a field path: its name, else its index."""
    name = item.get("name")
    return name if isinstance(name, str) and name else index
