"""Unit tests of the Kubernetes-aware diff, on manifests taken from real renders and edited.

The helpers here take deep copies (renders share sub-objects through YAML anchors, so an edit
to a shallow copy could leak into the other side of a diff).
"""

from __future__ import annotations

import copy
from typing import Any

from kube.identity import resource_id
from pipeline.diff.engine import diff_stage
from pipeline.diff.model import ResourceChange, StageDiff
from pipeline.preview import Preview, StagePreview
from pipeline.reports import preview_json, preview_markdown, preview_text
from pipeline.tenant_filter import tenancy, tenant_of_resource
from tests.conftest import find


def pick(rendered, stage: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
    """A deep copy of one manifest of a fresh render of the stage (without a namespace: the shared
    platform's, not a dedicated tenant's instance of the same service)."""
    manifests = rendered[stage].manifests
    if namespace is None:
        owners = tenancy(manifests)
        manifests = [m for m in manifests if tenant_of_resource(resource_id(m), owners) is None]
    return copy.deepcopy(find(manifests, kind, name, namespace))


def pod_spec(manifest: dict[str, Any]) -> dict[str, Any]:
    """The pod spec of a Deployment, StatefulSet, DaemonSet or Job (CronJob: its job's)."""
    spec = manifest["spec"]
    if manifest["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def container(manifest: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    """A container of a workload: the named one, else the first."""
    containers = pod_spec(manifest)["containers"]
    return next(c for c in containers if name is None or c["name"] == name)


def diff(
    old: list[dict[str, Any]] | dict[str, Any] | None, new: list[dict[str, Any]] | dict[str, Any] | None
) -> StageDiff:
    """diff_stage of prod between two manifests (or lists of them; None: none)."""
    as_list = lambda value: [] if value is None else value if isinstance(value, list) else [value]  # noqa: E731
    return diff_stage("prod", as_list(old), as_list(new))


def only_change(old: dict[str, Any] | None, new: dict[str, Any] | None) -> ResourceChange:
    """The one change between two versions of one resource; fails the test if there is not exactly one."""
    result = diff(old, new)
    assert len(result.changes) == 1, [c.as_dict() for c in result.changes]
    return result.changes[0]


def fields(change: ResourceChange) -> list[dict[str, Any]]:
    return [f.as_dict() for f in change.changes]


def flags(change: ResourceChange) -> list[dict[str, str]]:
    return [f.as_dict() for f in change.flags]


def reports(stage_diff: StageDiff) -> dict[str, str]:
    """The text, JSON and Markdown reports of one stage's diff, as `pipeline diff` writes them."""
    preview = Preview("base", "head", (StagePreview(stage_diff.stage, stage_diff, None, (), None, None),))
    return {
        "text": preview_text.render(preview),
        "json": preview_json.render(preview),
        "markdown": preview_markdown.render(preview),
    }
