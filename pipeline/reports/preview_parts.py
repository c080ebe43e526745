"""Previews run apart, joined: `pipeline preview --merge PART.json...`.

A fleet outgrows one CI runner: each stage is previewed by its own job (`preview --stage S
--json part.json`), and the parts are merged into the preview one process would have written.
A part is the preview's JSON as is (Preview.from_dict reads it back). Parts must agree on the
base and head, the stage order, the protected stage and the --tenant selection, and each stage
may come from one part only; the merged stages follow the stage order.
"""

from __future__ import annotations

import json
from pathlib import Path

from model.errors import InputError, Problem
from pipeline.preview import Preview, stage_names

HINT = "pass the files `pipeline preview --stage S --json FILE` wrote, one per stage, from the same base and head"
_SHARED = (
    ("base", "base"),
    ("head", "head"),
    ("order", "stage order"),
    ("protected", "protected stage"),
    ("tenants", "--tenant selection"),
)


def load_part(path: Path) -> Preview:
    """One part; an unreadable file or one that is no preview is an InputError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([_problem(path, f"cannot be read ({getattr(error, 'strerror', None) or error})")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            [_problem(path, f"not JSON ({error.msg} at line {error.lineno}, column {error.colno})")]
        ) from None
    try:
        return Preview.from_dict(data)
    except KeyError as error:
        reason = f"missing key {error.args[0]!r}"
    except (TypeError, ValueError, AttributeError) as error:
        reason = str(error)
    raise InputError([_problem(path, f"not a preview written by `pipeline preview --json` ({reason})")])


def merge(parts: list[tuple[Path, Preview]]) -> Preview:
    """The parts as one preview, stages in stage order; parts that disagree or overlap are an InputError."""
    first_path, first = parts[0]
    problems: list[Problem] = []
    owner: dict[str, Path] = {}
    for path, part in parts:
        for attribute, label in _SHARED:
            mine, theirs = getattr(part, attribute), getattr(first, attribute)
            if mine != theirs:
                problems.append(
                    _problem(path, f"its {label} {_shown(mine)} differs from {first_path}'s {_shown(theirs)}")
                )
        for stage in part.stages:
            if stage.stage in owner:
                problems.append(_problem(path, f"stage {stage.stage} is already in {owner[stage.stage]}"))
            else:
                owner[stage.stage] = path
    if problems:
        raise InputError(problems)
    by_stage = {stage.stage: stage for _, part in parts for stage in part.stages}
    ordered = tuple(by_stage[name] for name in stage_names(by_stage, first.order))
    return Preview(first.base, first.head, ordered, first.protected, first.order, first.tenants)


def merge_files(paths: list[Path]) -> Preview:
    """Load every part (every bad file reported at once), then merge them."""
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append((path, load_part(path)))
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    return merge(loaded)


def _problem(path: Path, reason: str) -> Problem:
    return Problem(None, "", f"{path}: {reason}", HINT)


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return repr(value)
