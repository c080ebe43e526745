"""Previews run apart, joined: `pipeline preview --merge PART.json...`.

A fleet outgrows one CI runner: each stage is previewed by its own job (`preview --stage S
--json part.json`), and the parts are merged into the preview one process would have written.
A part is the preview's JSON as is (Preview.from_dict reads it back). Parts must agree on the
base and head, the stage order, the protected stage and the --tenant selection, and each stage
may come from one part only; the merged stages follow the stage order.
"""

from __future__ import annotations

from pathlib import Path

from model.errors import InputError, Problem
from pipeline.json_input import read_json
from pipeline.preview import Preview, stage_names
from pipeline.preview_part import shape_problems

WRITER = "`pipeline preview --json`"
HINT = "pass the files `pipeline preview --stage S --json FILE` wrote, one per stage, from the same base and head"
_SHARED = (
    ("base", "base"),
    ("head", "head"),
    ("order", "stage order"),
    ("protected", "protected stage"),
    ("tenants", "--tenant selection"),
)


def load_part(path: Path) -> Preview:
    """One part, read within limits (pipeline.json_input) and its shape checked (pipeline.preview_part).

    A file that cannot be read or is no preview is an InputError naming the file.
    """
    data = read_json(path, HINT)
    shape = shape_problems(data)
    if shape:
        raise InputError([_problem(path, f"not a preview written by {WRITER} ({why})") for why in shape])
    try:
        return Preview.from_dict(data)
    except KeyError as error:
        reason = f"missing key {error.args[0]!r}"
    except (TypeError, ValueError, AttributeError, IndexError) as error:
        reason = str(error)
    raise InputError([_problem(path, f"not a preview written by {WRITER} ({reason})")])


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
