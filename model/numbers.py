"""Numbers a stage file may hold: finite ones, wherever they are written.

YAML reads `.inf`, `-.inf`, `.nan` and numbers beyond a 64-bit float's range (`1e400`) as
infinities or NaN. JSON, Kubernetes and Prometheus hold neither, and NaN compares false with
every bound, so a schema `maximum` alone lets it through. Refused per file, before the schema
looks, in release configuration and environment values as much as in sizing fields.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from model.errors import Problem
from model.limits import MAX_LISTED
from model.source import Document, KeyPath, format_path

_WRITTEN = {math.inf: ".inf", -math.inf: "-.inf"}


def number_problems(document: Document) -> list[Problem]:
    """A located problem for each number of document that is not finite (the first MAX_LISTED)."""
    problems = []
    for path, value in _non_finite(document.data, ()):
        if len(problems) == MAX_LISTED:
            break
        written = _WRITTEN.get(value, ".nan")
        problems.append(
            Problem(
                document.source.locate(path),
                format_path(path),
                f"{written} is not a finite number (YAML reads .inf, .nan and numbers beyond ±1.8e308 so)",
                "write a finite number such as 0.5 or 1000; quote it if you mean the text",
            )
        )
    return problems


def _non_finite(data: Any, path: KeyPath) -> Iterator[tuple[KeyPath, float]]:
    if isinstance(data, float):
        if not math.isfinite(data):
            yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _non_finite(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _non_finite(value, path + (index,))
