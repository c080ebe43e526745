"""The check report for people at a terminal.

Every line passes through model.printable: a name or message from input cannot forge a line
(a newline, an ESC sequence, a bidi override is shown as an escape) nor show a credential.
"""

from __future__ import annotations

from model.printable import printable
from pipeline.check import StageCheck


def tenants_label(tenants: tuple[str, ...]) -> str:
    """The label of a narrowed report, e.g. ' (tenant acme)'; empty for a whole stage."""
    if not tenants:
        return ""
    return f" (tenant{'s' if len(tenants) > 1 else ''} {', '.join(tenants)})"


def summary_line(check: StageCheck) -> str:
    """prod: 175 resources, schema ok, 45 rules: 0 mandatory failures, 1 advisory."""
    verdict = "PASS" if check.passed else "FAIL"
    schema = "schema ok" if not check.schema_problems else f"{len(check.schema_problems)} schema problems"
    return printable(
        f"{verdict} {check.stage}{tenants_label(check.tenants)}: {check.resources} resources, {schema}, "
        f"{len(check.rules)} rules: "
        f"{len(check.mandatory_failures)} mandatory failures, {len(check.advisories)} advisory",
        keep_newlines=False,
    )


def render(checks: list[StageCheck]) -> str:
    lines = []
    for check in checks:
        lines.append(summary_line(check))
        for index, problem in enumerate(check.schema_problems):
            where = check.schema_locations.get(index)
            lines.append(f"  SCHEMA     {problem.resource} {problem.path}: {problem.message}".rstrip())
            if where:
                lines.append(f"             at {where.location}")
        order = sorted(
            range(len(check.findings)), key=lambda i: (not check.findings[i].mandatory, check.findings[i].rule_id)
        )
        for index in order:
            finding = check.findings[index]
            level = "MANDATORY" if finding.mandatory else "advisory "
            lines.append(f"  {level}  [{finding.rule_id}] {finding.message()}")
            lines.append(f"             fix: {finding.remediation}")
            where = check.locations.get(index)
            if where:
                key = f" ({where.key_path})" if where.key_path else ""
                lines.append(f"             at {where.location}{key}")
    return "\n".join(printable(line, keep_newlines=False) for line in lines) + "\n"
