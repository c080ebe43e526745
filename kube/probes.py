"""Reading probes and preStop hooks: the values the kubelet uses, its defaults included.

Probe fields default as the API server sets them (initialDelaySeconds 0, periodSeconds 10,
timeoutSeconds 1, successThreshold 1, failureThreshold 3). Pulumi hands numbers over as floats;
every value goes through kube.workloads.number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kube.workloads import Container, PodTemplate, containers, is_list, items, mapping, number, pod_template

PROBE_DEFAULTS: dict[str, int] = {
    "initialDelaySeconds": 0,
    "periodSeconds": 10,
    "timeoutSeconds": 1,
    "successThreshold": 1,
    "failureThreshold": 3,
}
DEFAULT_GRACE_SECONDS = 30
# Workloads whose pods run until replaced (a Job's or CronJob's run to completion).
SERVING_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Pod")
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
_DURATION = r"\d+(?:\.\d+)?[smhd]?"
_SCRIPT_SLEEP = re.compile(rf"(?<![\w-])sleep((?:[ \t]+{_DURATION}(?![\w.]))+)")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Field:
    """A probe or pod field as the kubelet reads it: its value, and how to show it."""

    value: int | float
    raw: Any  # what the manifest holds (None when unset)

    @property
    def shown(self) -> str:
        if self.raw is None:
            return f"not set ({self.value})"
        if number(self.raw) is None:
            return f"{self.raw!r} (read as {self.value})"
        return str(self.value)


def probe_field(probe: Mapping[str, Any], name: str) -> Field:
    """A probe field with the API server's default when unset or not a number."""
    raw = probe.get(name)
    value = number(raw)
    return Field(PROBE_DEFAULTS[name] if value is None else value, raw)


def long_running(template: PodTemplate) -> Iterator[Container]:
    """Containers that run for the pod's lifetime: regular ones and sidecars (init, restartPolicy Always)."""
    for container in containers(template):
        if container.list_name == "containers" or (
            container.list_name == "initContainers" and container.spec.get("restartPolicy") == "Always"
        ):
            yield container


def grace_period(template: PodTemplate) -> Field:
    """The pod's terminationGracePeriodSeconds (default 30)."""
    raw = template.spec.get("terminationGracePeriodSeconds")
    value = number(raw)
    return Field(DEFAULT_GRACE_SECONDS if value is None else value, raw)


def prestop_sleep(container: Mapping[str, Any]) -> tuple[str, int | float] | None:
    """(path below the container, seconds) a preStop hook sleeps, or None when it does not (visibly) sleep.

    Read: the native `sleep` action; `exec` of `sleep N...` (GNU suffixes s, m, h, d summed);
    `exec` of a shell `-c` script, whose literal `sleep N` commands are added up.
    """
    lifecycle = container.get("lifecycle")
    pre_stop = lifecycle.get("preStop") if isinstance(lifecycle, Mapping) else None
    if not isinstance(pre_stop, Mapping):
        return None
    sleep = pre_stop.get("sleep")
    if isinstance(sleep, Mapping) and number(sleep.get("seconds")) is not None:
        return "lifecycle.preStop.sleep.seconds", number(sleep.get("seconds"))
    action = pre_stop.get("exec")
    command = action.get("command") if isinstance(action, Mapping) else None
    if not is_list(command) or not command or not all(isinstance(a, str) for a in command):
        return None
    program = command[0].rsplit("/", 1)[-1]
    seconds: int | float | None = None
    if program == "sleep":
        seconds = _durations(list(command[1:]))
    elif program in SHELLS and "-c" in list(command[1:-1]):
        script = command[list(command).index("-c", 1) + 1]
        found = [_durations(match.split()) for match in _SCRIPT_SLEEP.findall(script)]
        seconds = sum(s for s in found if s is not None) if found else None
    return None if seconds is None else ("lifecycle.preStop.exec.command", seconds)


def _durations(words: list[str] | tuple[str, ...]) -> int | float | None:
    """The sum of GNU sleep durations (10, 1.5, 2m, 1h); None if any word is not one."""
    total: float = 0
    for word in words:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd]?)", word)
        if match is None:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if not words:
        return None
    return int(total) if total.is_integer() else total


def seconds_text(value: int | float) -> str:
    """A duration in seconds as people write it: 60, 7.5."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def serving_template(manifest: Mapping[str, Any]) -> PodTemplate | None:
    """The pod template of a workload whose pods run until replaced, else None.

    Jobs and CronJobs run to completion; so does a bare Pod with restartPolicy Never or OnFailure, or one a
    Job owns (a pod read back from a cluster).
    """
    if manifest.get("kind") not in SERVING_KINDS:
        return None
    template = pod_template(manifest)
    if template is None or manifest.get("kind") != "Pod":
        return template
    if template.spec.get("restartPolicy") in ("Never", "OnFailure"):
        return None
    owners = items(mapping(manifest.get("metadata")).get("ownerReferences"))
    return None if any(owner.get("kind") == "Job" for owner in owners) else template
