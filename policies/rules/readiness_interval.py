"""readiness-interval: readiness is checked more often than the stage's health-check interval target.

The cluster story asks for a health-check interval below 10 s. Every readinessProbe's
periodSeconds (10 when unset) must be strictly below the target: the production guide's 10 s
readiness period misses it. Regular and sidecar containers of every pod template are checked;
a container without a readinessProbe has no period to judge (readiness-probe asks for one).

PASS (health_check_interval_seconds: 10):
    containers:
      - name: agent
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 5}

FAIL (health_check_interval_seconds: 10):
    containers:
      - name: agent
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /ready, port: 8080}}   # periodSeconds 10 by default
"""

from __future__ import annotations

from collections.abc import Mapping

from kube.probes import long_running, probe_field
from kube.workloads import number, pod_template, title
from policies.framework import Violation, manifest_of, option, report

ID = "readiness-interval"
DESCRIPTION = "Every readinessProbe's period is below the health-check interval target."
REMEDIATION = (
    "Set pod.probes.readiness.period_seconds below targets.health_check_interval_seconds in the stage file "
    "(environments/defaults.yaml sets 5 s)."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "resource"
OPTIONS = {
    "health_check_interval_seconds": {
        "type": "number",
        "minimum": 1,
        "default": 10,
        "description": "the health-check interval target: readiness periods must be below it "
        "(targets.health_check_interval_seconds)",
    }
}


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    template = pod_template(manifest) if manifest else None
    if template is None:
        return
    target = number(option(args, "health_check_interval_seconds", 10)) or 10
    bound = f"below {target} s (the health-check interval target)"
    for container in long_running(template):
        probe = container.spec.get("readinessProbe")
        if not isinstance(probe, Mapping):
            continue
        period = probe_field(probe, "periodSeconds")
        if period.value >= target:
            report(
                report_violation,
                Violation(
                    title(manifest), f"{container.path}.readinessProbe.periodSeconds", period.shown, bound, args.urn
                ),
            )
