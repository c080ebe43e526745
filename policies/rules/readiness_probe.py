"""readiness-probe: every container that serves traffic has a readinessProbe.

A container without a readiness probe counts as ready the moment it starts: a Service sends it
requests before it can answer and keeps sending while it fails, and a rolling update replaces
working pods with ones that never came up (Polaris readinessProbeMissing, Checkov CKV_K8S_9,
kube-score's probe check). A container serves when it declares ports, or when a Service of its
namespace selects the pod on a target port that no container of the pod declares (then every
container without declared ports may be the one). Judged: the containers and native sidecars
of Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers and bare Pods;
not Jobs, CronJobs, run-to-completion Pods or ordinary init containers. Mandatory: only serving
containers are asked, and any of them can have a probe (a tcpSocket probe at the least). In the
platform profile this rule alone asks for the probe; readiness-interval judges its period.

PASS:
    containers:
      - name: web
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /ready, port: http}}
      - name: log-shipper         # serves nothing: no probe needed

FAIL:
    containers:
      - name: web
        ports: [{name: http, containerPort: 8080}]   # spec.template.spec.containers[web].readinessProbe
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.probes import long_running, serving_template
from kube.workloads import PodTemplate, items, mapping, namespace_of, number
from policies.framework import StackResource, Violation, by_namespace, report, shown, stack_manifests

ID = "readiness-probe"
DESCRIPTION = "Every container that declares ports or backs a Service has a readinessProbe (not Jobs or CronJobs)."
REMEDIATION = (
    "Give the container a readinessProbe; the platform's services get theirs from pod.probes.readiness in the "
    "stage files (environments/defaults.yaml)."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Add a readinessProbe (httpGet, tcpSocket, grpc or exec) to the container that passes only when it can "
    "serve requests."
)
SCOPE = "stack"
OPTIONS: dict = {}

EXPECTED = "a probe that passes only when the container can serve (without one it is ready as soon as it starts)"


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    services = by_namespace(r for r in resources if r.kind == "Service" and r.manifest.get("apiVersion") == "v1")
    for workload in resources:
        template = serving_template(workload.manifest)
        if template is None:
            continue
        unprobed = [c for c in long_running(template) if not isinstance(c.spec.get("readinessProbe"), Mapping)]
        if not unprobed:
            continue
        undeclared = _undeclared_target(template, services.get(namespace_of(workload.manifest), []))
        for container in unprobed:
            ports = [
                number(p.get("containerPort")) or p.get("containerPort") for p in items(container.spec.get("ports"))
            ]
            if ports:
                observed = f"not set on a container serving ports {', '.join(str(p) for p in ports)}"
            elif undeclared:
                observed = f"not set, and {undeclared}"
            else:
                continue
            report(
                report_violation,
                Violation(workload.title, f"{container.path}.readinessProbe", observed, EXPECTED, workload.urn),
            )


def _undeclared_target(template: PodTemplate, services: list[StackResource]) -> str:
    """How a Service of the namespace sends the pod traffic on a port no container declares ("" if none does)."""
    declared: set[Any] = set()
    for container in long_running(template):
        for port in items(container.spec.get("ports")):
            declared |= {v for v in (number(port.get("containerPort")), port.get("name")) if isinstance(v, (int, str))}
    for service in services:
        spec = mapping(service.manifest.get("spec"))
        selector = mapping(spec.get("selector"))
        if spec.get("type") == "ExternalName" or not selector:
            continue
        if any(template.labels.get(key) != value for key, value in selector.items()):
            continue
        for port in items(spec.get("ports")):
            target = port.get("targetPort", port.get("port"))
            target = number(target) if number(target) is not None else target
            if isinstance(target, (int, str)) and target not in declared:
                return f"{service.title} sends the pod traffic on port {shown(target)}, which no container declares"
    return ""
