"""prestop-within-grace: a container's preStop sleep ends before the pod's termination grace period.

The grace period (terminationGracePeriodSeconds, default 30) counts from the start of the
preStop hook, not from SIGTERM. A hook that sleeps as long as the grace period or longer leaves
the process no time to shut down: the kubelet sends SIGTERM as the period runs out and SIGKILL
two seconds later. The reference pairs `sleep 10` with 60 s. The sleep is read from the native
action (lifecycle.preStop.sleep.seconds), an exec of `sleep N`, or a shell `-c` script's literal
`sleep N` commands (added up); a hook whose duration cannot be read (httpGet, `sleep $DELAY`) is
not judged. Every pod template is checked, sidecar init containers included.

PASS:
    terminationGracePeriodSeconds: 60
    containers:
      - name: agent
        lifecycle: {preStop: {sleep: {seconds: 10}}}

FAIL:
    containers:                            # grace period not set: 30 s
      - name: agent
        lifecycle: {preStop: {exec: {command: [sh, -c, "sleep 30"]}}}
"""

from __future__ import annotations

from kube.probes import grace_period, long_running, prestop_sleep
from kube.workloads import pod_template, title
from policies.framework import Violation, manifest_of, report

ID = "prestop-within-grace"
DESCRIPTION = "A container's preStop sleep is shorter than the pod's terminationGracePeriodSeconds."
REMEDIATION = (
    "Keep pod.pre_stop_sleep_seconds below pod.termination_grace_period_seconds in the stage file "
    "(environments/defaults.yaml: sleep 10 within 60 s)."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Keep the preStop hook (its sleep) shorter than the pod's terminationGracePeriodSeconds, so the "
    "container gets its SIGTERM before the kubelet kills it."
)
SCOPE = "resource"
OPTIONS: dict = {}


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    template = pod_template(manifest) if manifest else None
    if template is None:
        return
    grace = grace_period(template)
    for container in long_running(template):
        found = prestop_sleep(container.spec)
        if found is None:
            continue
        path, seconds = found
        if seconds < grace.value:
            continue
        command = path.endswith("command")  # an exec: speak of the sleep, not of the command's value
        bound = (
            f"{'a sleep ' if command else ''}below {grace.value} s ({template.path}.terminationGracePeriodSeconds"
            + (", the default as it is not set" if grace.raw is None else "")
            + "), leaving time to stop after SIGTERM"
        )
        report(
            report_violation,
            Violation(
                title(manifest),
                f"{container.path}.{path}",
                f"a sleep of {seconds} s" if command else str(seconds),
                bound,
                args.urn,
            ),
        )
