"""The diff and preview for a terminal: one line per field, in resource terms."""

from __future__ import annotations

from model.printable import escape_controls
from pipeline.diff.model import FieldChange, ResourceChange, RolloutClass
from pipeline.preview import Preview, StagePreview
from pipeline.reports.text import tenants_label
from pipeline.tenant_filter import SHARED

LABELS = {
    RolloutClass.CREATE: "create",
    RolloutClass.UPDATE: "update",
    RolloutClass.RESTART: "restart",
    RolloutClass.REPLACE: "REPLACE",
    RolloutClass.DELETE: "DELETE",
}


def field_line(change: ResourceChange, field: FieldChange) -> str:
    """Deployment ns/app  spec...image  1.4.2 -> 1.5.0"""
    if field.note:
        values = field.note
    elif field.old is None:
        values = f"+ {field.new}"
    elif field.new is None:
        values = f"- {field.old}"
    else:
        values = f"{field.old} -> {field.new}"
    return f"{change.title}  {field.path}  {values}"


def counts_line(preview_stage) -> str:
    return _counts(preview_stage.diff.counts)


def stage_header(stage: StagePreview) -> str:
    """== prod (release 1.4 -> 1.5): 1 update, 9 unchanged; a set that is no stage (plain YAML) has no name."""
    release = ""
    if stage.release and stage.base_release and stage.release != stage.base_release:
        release = f" (release {stage.base_release} -> {stage.release})"
    name = f"{stage.stage}{release}: " if stage.stage else ""
    return f"\n== {name}{counts_line(stage)}, {stage.diff.unchanged} unchanged"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[r.value]} {r.value}" for r in RolloutClass if counts[r.value]) or "no changes"


def _changes(changes: tuple[ResourceChange, ...]) -> list[str]:
    lines = []
    for change in changes:
        reason = f"  ({'; '.join(change.reasons)})" if change.rollout is RolloutClass.REPLACE else ""
        lines.append(f"  {LABELS[change.rollout]:<8} {change.title}{reason}")
        for field in change.changes:
            lines.append(f"      {field_line(change, field)}")
            lines += [f"        {line}" for line in field.lines]
        for flag in change.flags:
            lines.append(f"      ! {flag.risk.value}: {flag.path} {flag.detail}".rstrip())
    return lines


def render(preview: Preview, allow_disruptive: bool = False, verdict: bool = True) -> str:
    """The diff, per stage and field; with verdict, the preview's own last line (OK or BLOCKED)."""
    lines = [f"{preview.base} -> {preview.head}{tenants_label(preview.tenants)}"]
    for stage in preview.stages:
        lines.append(stage_header(stage))
        if stage.diff.has_tenants:  # grouped: the shared platform first, then each tenant
            for tenant in stage.diff.tenants:
                name = SHARED if tenant is None else f"tenant {tenant}"
                lines.append(f"  -- {name}: {_counts(stage.diff.tenant_counts(tenant))}")
                lines += _changes(stage.diff.of_tenant(tenant))
        else:
            lines += _changes(stage.diff.changes)
        if stage.check is not None:
            for finding in stage.new_findings:
                lines.append(
                    f"  NEW {'MANDATORY' if finding.mandatory else 'advisory'} [{finding.rule_id}] {finding.message()}"
                )
    blockers = preview.blockers(allow_disruptive)
    if verdict and any(s.check is not None for s in preview.stages):
        lines.append("\n" + ("BLOCKED: " + "; ".join(blockers) if blockers else "OK: nothing blocks this change"))
    return "\n".join(terminal_safe(line) for line in lines) + "\n"


def terminal_safe(line: str) -> str:
    """A report line with what input put in it (names, values) unable to start a line or move the cursor.

    The line's own leading blank lines (section breaks) stay; any other newline or control character is escaped.
    """
    body = line.lstrip("\n")
    return "\n" * (len(line) - len(body)) + escape_controls(body, keep_newlines=False)
