"""The check report for people at a terminal.

Every line passes through model.printable: a name or message from input cannot forge a line
(a newline, an ESC sequence, a bidi override is shown as an escape) nor show a credential.
"""

from __future__ import annotations

from model.errors import Problem
from model.printable import printable
from pipeline.verdict import StageCheck
from policies.rules import PLATFORM


def tenants_label(tenants: tuple[str, ...]) -> str:
    """The label of a narrowed report, e.g. ' (tenant acme)'; empty for a whole stage."""
    if not tenants:
        return ""
    return f" (tenant{'s' if len(tenants) > 1 else ''} {', '.join(tenants)})"


def summary_line(check: StageCheck) -> str:
    """PASS prod: 175 resources, schema ok, 45 rules: 0 mandatory failures, 1 advisory.

    What was not judged follows where there is any: unreadable documents, skipped files,
    resources no schema validates, findings a skip covers.
    """
    verdict = "PASS" if check.passed else "FAIL"
    failing = len(check.failing_schema_problems)
    schema = "schema ok" if not failing else f"{failing} schema problems"
    profile = f" ({check.profile} profile)" if check.profile != PLATFORM else ""
    notes = check.not_judged
    return printable(
        f"{verdict} {check.stage}{tenants_label(check.tenants)}{profile}: {check.resources} resources, {schema}, "
        f"{len(check.rules)} rules: "
        f"{len(check.mandatory_failures)} mandatory failures, {len(check.advisories)} advisory"
        + (f"; {', '.join(notes)}" if notes else ""),
        keep_newlines=False,
    )


def render(checks: list[StageCheck]) -> str:
    lines = []
    for check in checks:
        lines.append(summary_line(check))
        for problem in check.input_problems:
            lines.append(f"  INPUT      {_where(problem)}{problem.message}")
            if problem.hint:
                lines.append(f"             hint: {problem.hint}")
        for index, problem in enumerate(check.schema_problems):
            where = check.schema_locations.get(index)
            label = "SCHEMA    " if check.fails(problem) else "unchecked "
            lines.append(f"  {label} {' '.join(filter(None, (problem.resource, problem.path)))}: {problem.message}")
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
        for index, suppressed in enumerate(check.suppressed):
            finding, skip = suppressed.finding, suppressed.skip
            lines.append(f"  skipped    [{finding.rule_id}] {finding.message()}")
            declared = f" at {skip.declared_at}" if skip.declared_at else ""
            lines.append(f"             reason: {skip.reason} ({skip.source}{declared})")
            where = check.suppressed_locations.get(index)
            if where:
                lines.append(f"             at {where.location}")
        for skipped in check.skipped:
            lines.append(f"  not read   {skipped.file}:{skipped.line}: {skipped.reason}")
    return "\n".join(printable(line, keep_newlines=False) for line in lines) + "\n"


def _where(problem: Problem) -> str:
    return f"{problem.location}: " if problem.location else ""
