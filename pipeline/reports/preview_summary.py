"""`pipeline diff --summary`: per stage, counts per kind and change class, then one line per changed resource.

Nothing else: no fields, values or risks (the full diff has those). In text, JSON and Markdown;
a set that is no stage (plain YAML) has no stage name.
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.diff.model import ResourceChange, RolloutClass, StageDiff
from pipeline.preview import Preview
from pipeline.reports.markdown_text import cell, code
from pipeline.reports.preview_markdown import ROLLOUT_ORDER, counts_text
from pipeline.reports.preview_text import LABELS, stage_header, terminal_safe
from pipeline.reports.text import tenants_label


def kind_counts(diff: StageDiff) -> dict[str, dict[str, int]]:
    """kind -> change class -> how many resources of that kind change so (every class, kinds sorted)."""
    out: dict[str, dict[str, int]] = {}
    for change in diff.changes:
        counts = out.setdefault(change.resource_id.kind, {rollout.value: 0 for rollout in RolloutClass})
        counts[change.rollout.value] += 1
    return dict(sorted(out.items()))


def _nonzero(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[r.value]} {r.value}" for r in RolloutClass if counts[r.value])


def render_text(preview: Preview, allow_disruptive: bool = False) -> str:
    """Per stage: its header, `  Kind: 1 update, 2 create` per kind, then `  update   Kind ns/name` per resource."""
    lines = [f"{preview.base} -> {preview.head}{tenants_label(preview.tenants)}"]
    for stage in preview.stages:
        lines.append(stage_header(stage))
        counts = kind_counts(stage.diff)
        width = max(map(len, counts), default=0) + 1
        lines += [f"  {kind + ':':<{width}} {_nonzero(by_class)}" for kind, by_class in counts.items()]
        lines += [f"  {LABELS[change.rollout]:<8} {change.title}" for change in stage.diff.changes]
    return "\n".join(terminal_safe(line) for line in lines) + "\n"


def _change(change: ResourceChange) -> dict[str, Any]:
    rid = change.resource_id
    return {
        "rollout": change.rollout.value,
        "resource": change.title,
        "group": rid.group,
        "kind": rid.kind,
        "namespace": rid.namespace,
        "name": rid.name,
    }


def as_dict(preview: Preview) -> dict[str, Any]:
    """The summary as JSON data: per stage its counts, counts per kind and the changed resources."""
    return {
        "base": preview.base,
        "head": preview.head,
        "tenant_filter": list(preview.tenants),
        "stages": [
            {
                "stage": stage.stage,
                "counts": stage.diff.counts,
                "unchanged": stage.diff.unchanged,
                "kinds": kind_counts(stage.diff),
                "changes": [_change(change) for change in stage.diff.changes],
            }
            for stage in preview.stages
        ],
    }


def render_json(preview: Preview, allow_disruptive: bool = False) -> str:
    """The summary as JSON (as_dict)."""
    return json.dumps(as_dict(preview), indent=2) + "\n"


def render_markdown(preview: Preview, allow_disruptive: bool = False) -> str:
    """Per stage: a heading with the counts, a table of kinds by change class, a list of the changed resources."""
    out = [f"## Diff summary: {code(preview.base)} → {code(preview.head)}{tenants_label(preview.tenants)}", ""]
    columns = [r for r in ROLLOUT_ORDER]
    for stage in preview.stages:
        name = f"{cell(stage.stage)}: " if stage.stage else ""
        out += [f"### {name}{counts_text(stage.diff.counts)} ({stage.diff.unchanged} unchanged)", ""]
        counts = kind_counts(stage.diff)
        if counts:
            out.append("| kind | " + " | ".join(r.value for r in columns) + " |")
            out.append("|---|" + "---:|" * len(columns))
            out += [f"| {cell(k)} | " + " | ".join(str(c[r.value]) for r in columns) + " |" for k, c in counts.items()]
            out.append("")
            out += [f"- {change.rollout.value} {code(change.title)}" for change in stage.diff.changes]
            out.append("")
    return "\n".join(out)
