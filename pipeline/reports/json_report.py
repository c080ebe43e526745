"""The check report as JSON, for machines; StageCheck.from_dict reads each stage back (mergeable)."""

from __future__ import annotations

import json

from pipeline.verdict import StageCheck


def render(checks: list[StageCheck]) -> str:
    stages = [check.as_dict() for check in checks]
    return json.dumps({"passed": all(c.passed for c in checks), "stages": stages}, indent=2) + "\n"
