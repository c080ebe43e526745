"""The check report as Markdown, for a pull-request comment."""

from __future__ import annotations

from pipeline.reports.markdown_text import cell, code
from pipeline.reports.text import tenants_label
from pipeline.verdict import StageCheck


def render(checks: list[StageCheck]) -> str:
    lines = [
        "## Policy check",
        "",
        "| stage | verdict | resources | schema problems | mandatory | advisory | not judged |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for c in checks:
        verdict = ":white_check_mark: pass" if c.passed else ":x: fail"
        lines.append(
            f"| {cell(c.stage)}{tenants_label(c.tenants)} | {verdict} | {c.resources} | "
            f"{len(c.failing_schema_problems)} | {len(c.mandatory_failures)} | {len(c.advisories)} | "
            f"{cell(', '.join(c.not_judged))} |"
        )
    for c in checks:
        if not (c.findings or c.schema_problems or c.input_problems or c.skipped or c.suppressed):
            continue
        lines += [
            "",
            f"### {c.stage}{tenants_label(c.tenants)}",
            "",
            "| level | rule | resource | field | problem | fix | where |",
            "|---|---|---|---|---|---|---|",
        ]
        for problem in c.input_problems:
            lines.append(
                f"| **input** | `input` | | {code(problem.key_path) if problem.key_path else ''} | "
                f"{cell(problem.message)} | "
                f"{cell(problem.hint)} | {cell(str(problem.location or ''))} |"
            )
        for i, p in enumerate(c.schema_problems):
            where = c.schema_locations.get(i)
            lines.append(
                f"| {'schema' if c.fails(p) else 'not validated'} | kubernetes-schema |"
                f" {cell(p.resource)} | {code(p.path)} | {cell(p.message)} | "
                f"fix the field | {cell(str(where.location)) if where else ''} |"
            )
        for i, f in enumerate(c.findings):
            where = c.locations.get(i)
            spot = f"{where.location}" + (f" `{where.key_path}`" if where and where.key_path else "") if where else ""
            lines.append(
                f"| {'**mandatory**' if f.mandatory else 'advisory'} | `{f.rule_id}` | {cell(f.resource)} | "
                f"{code(f.path)} | is {cell(f.observed)}, must be {cell(f.expected)} | "
                f"{cell(f.remediation)} | {cell(spot)} |"
            )
        for i, s in enumerate(c.suppressed):
            where = c.suppressed_locations.get(i)
            lines.append(
                f"| skipped | `{s.finding.rule_id}` | {cell(s.finding.resource)} | {code(s.finding.path)} | "
                f"is {cell(s.finding.observed)}: skipped, {cell(s.skip.reason)} ({s.skip.source}) | | "
                f"{cell(str(where.location)) if where else ''} |"
            )
        for skipped in c.skipped:
            lines.append(f"| not read | | | | {cell(skipped.reason)} | | {cell(f'{skipped.file}:{skipped.line}')} |")
    return "\n".join(lines) + "\n"
