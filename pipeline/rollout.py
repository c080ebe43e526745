"""Verifying a deploy on the cluster: every Deployment rolled out, the guard rails in place.

Reads what the stage should have from its render, then asks kubectl (against the stage's
context, from stacks/Pulumi.<stage>.yaml): `rollout status` for each Deployment, and that each
HPA, PDB, NetworkPolicy and backup CronJob exists.
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from model.environment import Environment
from pipeline.render import render_stage

CHECKED_KINDS = {
    "HorizontalPodAutoscaler": "horizontalpodautoscalers",
    "PodDisruptionBudget": "poddisruptionbudgets",
    "NetworkPolicy": "networkpolicies",
    "CronJob": "cronjobs",
}


@dataclass(frozen=True)
class RolloutReport:
    problems: tuple[str, ...]
    checked: int

    @property
    def passed(self) -> bool:
        return not self.problems


def stack_context(repository: Path, stage: str) -> str | None:
    """The kubeconfig context the stage's Pulumi stack deploys to."""
    path = repository / "stacks" / f"Pulumi.{stage}.yaml"
    if not path.is_file():
        return None
    config = (yaml.safe_load(path.read_text()) or {}).get("config") or {}
    return config.get("kubernetes:context")


def verify_rollout(
    env: Environment, context: str | None, timeout_seconds: int, kubectl: str = "kubectl"
) -> RolloutReport:
    """Wait for the Deployments, then look for the other objects; every problem named."""
    base = [kubectl] + (["--context", context] if context else [])
    problems, checked = [], 0
    expected: dict[tuple[str, str], set[str]] = defaultdict(set)
    for manifest in render_stage(env).manifests:
        kind, meta = manifest["kind"], manifest["metadata"]
        if kind == "Deployment":
            checked += 1
            result = subprocess.run(
                [
                    *base,
                    "-n",
                    meta["namespace"],
                    "rollout",
                    "status",
                    f"deployment/{meta['name']}",
                    f"--timeout={timeout_seconds}s",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                problems.append(
                    f"Deployment {meta['namespace']}/{meta['name']} did not finish its rollout within "
                    f"{timeout_seconds} s: {(result.stderr or result.stdout).strip()}"
                )
        elif kind in CHECKED_KINDS:
            expected[(meta["namespace"], kind)].add(meta["name"])
    for (namespace, kind), names in sorted(expected.items()):
        checked += len(names)
        result = subprocess.run(
            [*base, "-n", namespace, "get", CHECKED_KINDS[kind], "-o", "name"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            problems.append(f"cannot list {kind} in {namespace}: {result.stderr.strip()}")
            continue
        present = {line.split("/", 1)[-1] for line in result.stdout.split()}
        problems += [f"{kind} {namespace}/{name} is missing" for name in sorted(names - present)]
    return RolloutReport(tuple(problems), checked)
