"""startup-budget: a startup probe gives up on a pod within the stage's recovery target.

A startupProbe holds off the other probes until it succeeds; a pod that never starts is
restarted only after initialDelaySeconds + periodSeconds x failureThreshold (0, 10 and 3 when
unset). That budget must be within the failed-instance recovery target (the cluster story:
< 5 min): the production guide's startup probe (10 s + 30 x 10 s = 310 s) misses a 300 s target.
Regular and sidecar containers of every pod template are checked.

PASS (recovery_seconds: 300):
    startupProbe: {initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 24}   # 250 s

FAIL (recovery_seconds: 300):
    startupProbe: {initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 30}   # 310 s
"""

from __future__ import annotations

from collections.abc import Mapping

from kube.probes import long_running, probe_field, seconds_text
from kube.workloads import number, pod_template, title
from policies.framework import Violation, manifest_of, option, report

ID = "startup-budget"
DESCRIPTION = "A startupProbe's initialDelaySeconds + periodSeconds x failureThreshold is within the recovery target."
REMEDIATION = (
    "Lower pod.probes.startup initial_delay_seconds, period_seconds or failure_threshold in the stage file "
    "so that delay + period x threshold is within targets.recovery_seconds."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "resource"
OPTIONS = {
    "recovery_seconds": {
        "type": "number",
        "minimum": 1,
        "default": 300,
        "description": "the failed-instance recovery target in seconds (targets.recovery_seconds)",
    }
}


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    template = pod_template(manifest) if manifest else None
    if template is None:
        return
    target = number(option(args, "recovery_seconds", 300)) or 300
    for container in long_running(template):
        probe = container.spec.get("startupProbe")
        if not isinstance(probe, Mapping):
            continue
        delay, period, threshold = (
            probe_field(probe, f) for f in ("initialDelaySeconds", "periodSeconds", "failureThreshold")
        )
        budget = delay.value + period.value * threshold.value
        if budget > target:
            report(
                report_violation,
                Violation(
                    title(manifest),
                    f"{container.path}.startupProbe",
                    f"initialDelaySeconds {delay.shown} + periodSeconds {period.shown}"
                    f" x failureThreshold {threshold.shown} = {seconds_text(budget)} s",
                    f"at most {target} s (the failed-instance recovery target)",
                    args.urn,
                ),
            )
