"""The check report as Markdown, for a pull-request comment."""

from __future__ import annotations

from pipeline.check import StageCheck
from pipeline.reports.markdown_text import cell, code
from pipeline.reports.text import tenants_label


def render(checks: list[StageCheck]) -> str:
    lines = [
        "## Policy check",
        "",
        "| stage | verdict | resources | schema problems | mandatory | advisory |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for c in checks:
        verdict = ":white_check_mark: pass" if c.passed else ":x: fail"
        lines.append(
            f"| {c.stage}{tenants_label(c.tenants)} | {verdict} | {c.resources} | {len(c.schema_problems)} | "
            f"{len(c.mandatory_failures)} | {len(c.advisories)} |"
        )
    for c in checks:
        if not c.findings and not c.schema_problems:
            continue
        lines += [
            "",
            f"### {c.stage}{tenants_label(c.tenants)}",
            "",
            "| level | rule | resource | field | problem | fix | where |",
            "|---|---|---|---|---|---|---|",
        ]
        for i, p in enumerate(c.schema_problems):
            where = c.schema_locations.get(i)
            lines.append(
                f"| schema | kubernetes-schema | {cell(p.resource)} | {code(p.path)} | {cell(p.message)} | "
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
    return "\n".join(lines) + "\n"
