"""The preview as a pull-request comment: a summary table, the stages as a diagram, details folded.

GitHub caps a comment at 65,536 characters; past MAX_CHARS the details are cut and a note
says where the full diff is.
"""

from __future__ import annotations

from pipeline.diff.model import ResourceChange, RolloutClass
from pipeline.preview import Preview, StagePreview
from pipeline.reports.markdown_text import cell, code
from pipeline.reports.text import tenants_label

MARKER = "<!-- agent-platform-preview -->"
MAX_CHARS = 60_000
CELL_CHARS = 200  # a cell shows this much of a value; the JSON report has all of it
HEADINGS = {
    RolloutClass.REPLACE: "Replaced",
    RolloutClass.DELETE: "Deleted",
    RolloutClass.RESTART: "Restarted",
    RolloutClass.UPDATE: "Updated in place",
    RolloutClass.CREATE: "Created",
}


def _release(stage: StagePreview) -> str:
    if stage.release and stage.base_release and stage.release != stage.base_release:
        return f"{stage.base_release} → **{stage.release}**"
    return stage.release or "—"


def _verdict(stage: StagePreview, blocked: bool) -> str:
    if stage.check is None:
        return ""
    return ":x:" if blocked else (":warning:" if stage.diff.flags else ":white_check_mark:")


def stage_name(stage: StagePreview) -> str:
    """A stage's name in a table; a set that is no stage (plain YAML) has none."""
    return stage.stage or "—"


def _diagram(preview: Preview) -> list[str]:
    if not any(stage.stage for stage in preview.stages):
        return []  # plain YAML: no stages to draw
    lines = ["```mermaid", "flowchart LR"]
    for stage in preview.stages:
        label = f"{stage.stage}<br/>{stage.release or ''}".replace('"', "'")
        lines.append(f'  {stage.stage.replace("-", "_")}["{label}"]')
    lines += ["  " + " --> ".join(s.stage.replace("-", "_") for s in preview.stages)] if len(preview.stages) > 1 else []
    for stage in preview.stages:
        if not stage.diff.empty:
            lines.append(f"  style {stage.stage.replace('-', '_')} stroke-width:3px")
    return lines + ["```"]


def _resource(change: ResourceChange) -> list[str]:
    title = f"- `{change.title}`"
    if change.reasons and change.rollout is RolloutClass.REPLACE:
        title += f" — {'; '.join(change.reasons)}"
    out = [title]
    for flag in change.flags:
        out.append(f"  - :warning: **{flag.risk.value}**: `{flag.path}` {flag.detail}".rstrip())
    if change.changes:
        out += ["", "  | field | before | after |", "  |---|---|---|"]
        for field in change.changes:
            if field.long is not None:  # summarised: the line counts, then what changed
                before, after = field.old, field.long.note
            else:
                before, after = (field.note, field.note) if field.note else (field.old, field.new)
            out.append(f"  | {code(field.path, CELL_CHARS)} | {cell(before, CELL_CHARS)} | {cell(after, CELL_CHARS)} |")
            if field.lines:
                out += ["", "  ```diff", *[f"  {line}" for line in field.lines[:40]], "  ```", ""]
    return out


VERSION_LABEL = "['app.kubernetes.io/version']"


def _version_only(change: ResourceChange) -> bool:
    """A change that only moves the version label (every object of a release bump has one)."""
    return bool(change.changes) and not change.flags and all(f.path.endswith(VERSION_LABEL) for f in change.changes)


ROLLOUT_ORDER = (
    RolloutClass.REPLACE,
    RolloutClass.DELETE,
    RolloutClass.RESTART,
    RolloutClass.UPDATE,
    RolloutClass.CREATE,
)


def _rollout_blocks(changes: tuple[ResourceChange, ...], heading: str) -> list[str]:
    """Changes by rollout class, disruptive first: a heading block per class, a block per resource."""
    blocks: list[str] = []
    for rollout in ROLLOUT_ORDER:
        of_class = [c for c in changes if c.rollout is rollout]
        labels_only = [c for c in of_class if _version_only(c)]
        shown = [c for c in of_class if c not in labels_only]
        if of_class:
            blocks.append(f"{heading} {HEADINGS[rollout]} ({len(of_class)})\n")
        blocks += ["\n".join(_resource(change)) + "\n" for change in shown]
        if labels_only:
            names = ", ".join(f"`{c.title}`" for c in labels_only[:10]) + (", ..." if len(labels_only) > 10 else "")
            blocks.append(
                f"- {len(labels_only)} more resources only change their `app.kubernetes.io/version` label ({names})\n"
            )
    return blocks


def tenant_heading(tenant: str | None) -> str:
    return "Shared platform" if tenant is None else f"Tenant `{tenant}`"


def counts_text(counts: dict[str, int]) -> str:
    """1 replace, 2 update: the non-zero counts, in rollout order."""
    return ", ".join(f"{counts[r.value]} {r.value}" for r in ROLLOUT_ORDER if counts[r.value]) or "no changes"


def _details(stage: StagePreview) -> tuple[list[str], list[str], list[str]]:
    """A stage's folded details: opening lines, blocks (one per resource or table), closing lines.

    A stage with dedicated tenants' changes is grouped by tenant (the shared platform first, then
    tenants sorted), each group under a line with its counts.
    """
    if stage.diff.empty and not stage.new_findings:
        return [], [], []
    summary = f"{len(stage.diff.changes)} changed resources"
    if stage.diff.has_tenants:
        tenants = [t for t in stage.diff.tenants if t is not None]
        summary += f" in {len(tenants)} tenant{'s' if len(tenants) != 1 else ''}"
        summary += " and the shared platform" if None in stage.diff.tenants else ""
    title = f"<b>{stage.stage}</b>: " if stage.stage else ""
    opening = ["<details>", f"<summary>{title}{summary}</summary>", ""]
    blocks: list[str] = []
    if stage.diff.has_tenants:
        for tenant in stage.diff.tenants:
            blocks.append(f"#### {tenant_heading(tenant)}: {counts_text(stage.diff.tenant_counts(tenant))}\n")
            blocks += _rollout_blocks(stage.diff.of_tenant(tenant), "#####")
    else:
        blocks += _rollout_blocks(stage.diff.changes, "####")
    if stage.new_findings:
        rows = [
            f"| {'**mandatory**' if f.mandatory else 'advisory'} | `{f.rule_id}` | {cell(f.message(), CELL_CHARS)} | "
            f"{cell(f.remediation, CELL_CHARS)} |"
            for f in stage.new_findings
        ]
        blocks.append(
            "\n".join(["#### New policy findings", "", "| level | rule | problem | fix |", "|---|---|---|---|", *rows])
            + "\n"
        )
    return opening, blocks, ["", "</details>", ""]


CUT_NOTE = (
    "> The preview was cut at GitHub's comment size: {count} more blocks are not shown. "
    "The full diff is in the preview's JSON (the workflow's artifact).\n"
)


def render(preview: Preview, allow_disruptive: bool = False) -> str:
    blockers = preview.blockers(allow_disruptive)
    blocked_stages = {b.split(":", 1)[0] for b in blockers}
    columns = (
        "| stage | release | created | updated | restarted | replaced | deleted | weakens | new policy failures | |"  # noqa: E501
    )
    head = [
        MARKER,
        f"## Infrastructure preview: `{preview.base}` → `{preview.head}`{tenants_label(preview.tenants)}",
        "",
        columns,
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in preview.stages:
        c = s.diff.counts
        head.append(
            f"| {stage_name(s)} | {_release(s)} | {c['create']} | {c['update']} | {c['restart']} | {c['replace']} | "
            f"{c['delete']} | {len(s.diff.flags)} | {len(s.new_mandatory)} | "
            f"{_verdict(s, s.stage in blocked_stages)} |"
        )
    diagram = _diagram(preview)
    head += ["", *diagram, ""] if diagram else [""]
    if blockers:
        head += ["**Blocked:**", *[f"- {b}" for b in blockers], ""]
    text, dropped = "\n".join(head) + "\n", 0
    budget = MAX_CHARS - len(CUT_NOTE) - 20
    for stage in preview.stages:
        opening, blocks, closing = _details(stage)
        if not opening:
            continue
        frame = "\n".join(opening) + "\n", "\n".join(closing) + "\n"
        if dropped or len(text) + len(frame[0]) + len(frame[1]) > budget:
            dropped += len(blocks)  # whole blocks only: a cut never lands inside a table or code fence
            continue
        text += frame[0]
        for block in blocks:
            if dropped or len(text) + len(block) + len(frame[1]) > budget:
                dropped += 1
            else:
                text += block + "\n"
        text += frame[1]
    return text + (CUT_NOTE.format(count=dropped) if dropped else "")
