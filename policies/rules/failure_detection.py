"""failure-detection: liveness and readiness probes notice a failed pod within the target.

A probe declares a pod failed after failureThreshold consecutive failures, one every
periodSeconds: periodSeconds x failureThreshold (10 and 3 when unset) must be within the stage's
failure-detection target (the cluster story: < 30 s). The production guide's liveness probe
(20 s x 3 = 60 s) misses it. Probe timeouts are not added. Regular and sidecar containers of
every pod template are checked; startup probes belong to startup-budget.

PASS (failure_detection_seconds: 30):
    livenessProbe: {periodSeconds: 5, failureThreshold: 3}      # 15 s

FAIL (failure_detection_seconds: 30):
    livenessProbe: {periodSeconds: 20, failureThreshold: 3}     # 60 s
"""

from __future__ import annotations

from collections.abc import Mapping

from kube.probes import long_running, probe_field, seconds_text
from kube.workloads import number, pod_template, title
from policies.framework import Violation, manifest_of, option, report

ID = "failure-detection"
DESCRIPTION = "Liveness and readiness probes detect a failure (periodSeconds x failureThreshold) within the target."
REMEDIATION = (
    "Lower pod.probes.liveness / pod.probes.readiness period_seconds or failure_threshold in the stage file "
    "so that their product is within targets.failure_detection_seconds."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "resource"
OPTIONS = {
    "failure_detection_seconds": {
        "type": "number",
        "minimum": 1,
        "default": 30,
        "description": "the failure-detection target in seconds (targets.failure_detection_seconds)",
    }
}
PROBES = ("livenessProbe", "readinessProbe")


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    template = pod_template(manifest) if manifest else None
    if template is None:
        return
    target = number(option(args, "failure_detection_seconds", 30)) or 30
    for container in long_running(template):
        for name in PROBES:
            probe = container.spec.get(name)
            if not isinstance(probe, Mapping):
                continue
            period, threshold = probe_field(probe, "periodSeconds"), probe_field(probe, "failureThreshold")
            detection = period.value * threshold.value
            if detection > target:
                report(
                    report_violation,
                    Violation(
                        title(manifest),
                        f"{container.path}.{name}",
                        f"periodSeconds {period.shown} x failureThreshold {threshold.shown}"
                        f" = {seconds_text(detection)} s",
                        f"at most {target} s (the failure-detection target)",
                        args.urn,
                    ),
                )
