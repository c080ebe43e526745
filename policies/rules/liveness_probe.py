"""liveness-probe: every long-running container has a livenessProbe.

Without a liveness probe the kubelet restarts a container only when its process exits: one that
hangs, deadlocks or loses its connections stays up and keeps its place (Polaris
livenessProbeMissing, Checkov CKV_K8S_8). Judged: the containers and native sidecars (init
containers with restartPolicy Always) of Deployments, StatefulSets, DaemonSets, ReplicaSets,
ReplicationControllers and bare Pods. Jobs, CronJobs, run-to-completion Pods and ordinary init
containers end by themselves and are left out. Advisory for foreign manifests: a liveness probe
that is wrong (a timeout too short under load, a check of a dependency) restarts healthy pods,
so some projects leave it out on purpose. Mandatory for the platform: the failure-detection
target can only be met by a probe that exists (failure-detection judges its timing).

PASS:
    containers:
      - name: web
        livenessProbe: {httpGet: {path: /healthz, port: http}}

FAIL:
    containers:
      - name: web                 # spec.template.spec.containers[web].livenessProbe: not set
"""

from __future__ import annotations

from collections.abc import Mapping

from kube.probes import long_running, serving_template
from kube.workloads import title
from policies.framework import Violation, manifest_of, report

ID = "liveness-probe"
DESCRIPTION = "Every container of a long-running workload (not Jobs or CronJobs) has a livenessProbe."
REMEDIATION = (
    "Give the container a livenessProbe; the platform's services get theirs from pod.probes.liveness in the "
    "stage files (environments/defaults.yaml)."
)
ENFORCEMENT = "mandatory"
GENERIC = "advisory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Add a livenessProbe (httpGet, tcpSocket, grpc or exec) to the container that fails only when the process "
    "can no longer recover by itself, with a timeout that holds under load."
)
SCOPE = "resource"
OPTIONS: dict = {}

EXPECTED = "a probe that fails when the container stops working (without one it is restarted only when it exits)"


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    template = serving_template(manifest) if manifest else None
    if template is None:
        return
    for container in long_running(template):
        if not isinstance(container.spec.get("livenessProbe"), Mapping):
            report(
                report_violation,
                Violation(title(manifest), f"{container.path}.livenessProbe", "not set", EXPECTED, args.urn),
            )
