"""Rollback: a stage's release as it was at the previous change of that section, or at a revision.

What a rollback may restore is decided by pipeline.release_change, the function `pipeline gate`
decides with: a release the stage ran before passes as a rollback; anything else is a hotfix and
is refused here (it needs the pull request's approval), so the command and the gate agree.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from model.errors import InputError, Problem
from model.loader import load_stage_order, select_stages
from model.stage_file import read_stage_text
from pipeline.gitops import file_at, repository_root, resolve_revision
from pipeline.promotion import GateProblem, Promotion, plan_release_change
from pipeline.release_change import ReleaseChange, classify_at, past_releases, release_in


def previous_release(directory: Path, stage: str, to: str | None = None) -> tuple[dict[str, Any], str]:
    """The release to go back to and the commit it comes from.

    Without `to`: walking the stage file's history from the newest commit, the first release
    that differs from the one in the working tree.
    """
    repository = repository_root(directory)
    path = directory / f"{stage}.yaml"
    current = release_in(read_stage_text(path, str(path)), str(path))  # a FIFO is refused, not read
    if to is not None:
        commit = resolve_revision(repository, to)
        release = release_in(file_at(repository, commit, path), str(path))
        if release is None:
            raise InputError([Problem(None, "", f"{path} has no release at {to}", "pick a revision where it had one")])
        return release, commit
    for past in past_releases(repository, path, "HEAD"):
        if past.release != current:
            return past.release, past.commit
    raise InputError(
        [Problem(None, "", f"{stage} has no earlier release in the history of {path}", "name one with --to REV")]
    )


def plan_rollback(directory: Path, stage: str, to: str | None = None, allow_disruptive: bool = False) -> Promotion:
    """Restore an earlier release of a stage, through the same gate as a promotion."""
    order = load_stage_order(directory)
    select_stages(order, [stage], directory)
    release, commit = previous_release(directory, stage, to)
    verdict = classify_at(directory, order, stage, release, "HEAD")
    plan = plan_release_change(
        directory, stage, release, f"{stage}@{commit[:12]}", allow_disruptive, verdict.kind is ReleaseChange.NEW_RELEASE
    )
    refused = tuple(GateProblem(str(directory / f"{stage}.yaml"), "", problem) for problem in verdict.problems)
    return dataclasses.replace(plan, problems=refused + plan.problems, kind=verdict.kind.value, notes=verdict.notes)
