"""The stage order: environments/stages.yaml, the stages in promotion order.

    load_stage_order(Path("environments")) -> ("dev", "staging", "prod")

A stage is a DNS-1123 label listed once; `defaults` and `stages` are not stages (their files
hold the shared settings and this order). Every problem is an InvalidEnvironment, located.
"""

from __future__ import annotations

import os
from pathlib import Path

from kube.names import is_dns1123_label
from model.compose import shortened
from model.errors import InvalidEnvironment, Location, Problem, UnknownStage
from model.schema import describe
from model.source import Document, load_document

STAGE_ORDER_FILE = "stages.yaml"
DEFAULTS_FILE = "defaults.yaml"
RESERVED = {"defaults": "the settings every stage shares", "stages": "the stage order"}


def display_path(path: Path) -> str:
    """path relative to the working directory when it is below it, as a user typed it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:
        return str(path)


def load_stage_order(directory: Path) -> tuple[str, ...]:
    """The stages in promotion order, from <directory>/stages.yaml."""
    if not directory.is_dir():
        what = "no such environments directory" if not directory.exists() else "not a directory"
        raise InvalidEnvironment(
            [
                Problem(
                    None,
                    "",
                    f"{display_path(directory)}: {what}",
                    "pass --environments DIR, a folder holding stages.yaml and <stage>.yaml files",
                )
            ]
        )
    document = load_document(directory / STAGE_ORDER_FILE, display_path(directory / STAGE_ORDER_FILE))
    stages = document.data.get("stages") if isinstance(document.data, dict) else None
    where = document.source.locate(("stages",)) or Location(document.file, 1, 1)
    if not isinstance(stages, list) or not stages:
        raise InvalidEnvironment(
            [Problem(where, "stages", "expected a non-empty list of stage names", "stages: [dev, staging, prod]")]
        )
    extra = sorted(set(document.data) - {"stages"})
    problems = [
        Problem(document.source.locate((key,)), key, f"unknown key {key!r}", "only 'stages' belongs here")
        for key in extra
    ]
    seen: set[str] = set()
    for index, stage in enumerate(stages):
        if not isinstance(stage, str):
            problems.append(
                _item(document, index, f"expected a stage name, got {describe(stage)}", "stages: [dev, staging, prod]")
            )
            continue
        if stage in RESERVED:
            problems.append(
                _item(
                    document,
                    index,
                    f"{stage!r} cannot be a stage: {stage}.yaml holds {RESERVED[stage]}",
                    "name the stage otherwise, e.g. dev, staging or prod",
                )
            )
        elif not is_dns1123_label(stage):
            problems.append(
                _item(
                    document,
                    index,
                    f"{shortened(stage)!r} is not a valid stage name",
                    "lower-case letters, digits and '-'",
                )
            )
        if stage in seen:
            problems.append(
                _item(
                    document,
                    index,
                    f"stage {shortened(stage)!r} is listed twice",
                    "each stage appears once in the order",
                )
            )
        seen.add(stage)
    if problems:
        raise InvalidEnvironment(problems)
    return tuple(stages)


def select_stages(order: tuple[str, ...], stages, directory: Path) -> tuple[str, ...]:
    """The named stages in promotion order (all of them when none is named); an unknown one is an error."""
    if not stages:
        return order
    unknown = [s for s in stages if s not in order]
    if unknown:
        raise UnknownStage(
            [
                Problem(
                    None,
                    "",
                    f"unknown stage {s!r}",
                    f"the stages in {display_path(directory / STAGE_ORDER_FILE)} are {', '.join(order)}",
                )
                for s in unknown
            ]
        )
    return tuple(s for s in order if s in stages)


def _item(document: Document, index: int, message: str, hint: str) -> Problem:
    """A problem of the stage order's index-th item, located."""
    return Problem(document.source.locate(("stages", index)), f"stages[{index}]", message, hint)
