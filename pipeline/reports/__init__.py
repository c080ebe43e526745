"""Report formats of `pipeline check`: each renders a list of StageCheck to text."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.reports import json_report, markdown, sarif, text
from pipeline.verdict import StageCheck

FORMATS: dict[str, Callable[[list[StageCheck]], str]] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "markdown": markdown.render,
}
