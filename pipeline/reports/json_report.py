"""The check report as JSON, for machines."""

from __future__ import annotations

import json

from pipeline.check import StageCheck


def _where(located) -> dict | None:
    if located is None:
        return None
    loc = located.location
    return {"file": loc.file, "line": loc.line, "column": loc.column, "key_path": located.key_path or None}


def render(checks: list[StageCheck]) -> str:
    stages = []
    for check in checks:
        stages.append(
            {
                "stage": check.stage,
                "passed": check.passed,
                "resources": check.resources,
                "rules": list(check.rules),
                "schema_problems": [
                    {**p.as_dict(), "location": _where(check.schema_locations.get(i))}
                    for i, p in enumerate(check.schema_problems)
                ],
                "findings": [
                    {**f.as_dict(), "location": _where(check.locations.get(i))} for i, f in enumerate(check.findings)
                ],
            }
        )
    return json.dumps({"passed": all(c.passed for c in checks), "stages": stages}, indent=2) + "\n"
