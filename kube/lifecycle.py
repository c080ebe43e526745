"""How a workload says it is deliberately stopped (scaled to zero by `pipeline stop`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.workloads import mapping, number

STOPPED_ANNOTATION = "agent-platform.io/stopped"


def stopped(manifest: Mapping[str, Any]) -> bool:
    """A workload at zero replicas that carries the stopped annotation: nothing runs, on purpose."""
    annotations = mapping(mapping(manifest.get("metadata")).get("annotations"))
    replicas = number(mapping(manifest.get("spec")).get("replicas"))
    return annotations.get(STOPPED_ANNOTATION) == "true" and replicas == 0
