"""Rollback: a stage's release as it was at the previous change of that section, or at a revision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.errors import InputError, Problem
from model.source import parse_document
from pipeline.gitops import commits_touching, file_at, repository_root, resolve_revision
from pipeline.promotion import Promotion, plan_release_change


def _release_in(text: str | None, name: str) -> dict[str, Any] | None:
    if text is None:
        return None
    data = parse_document(text, name).data
    return data.get("release") if isinstance(data, dict) else None


def previous_release(directory: Path, stage: str, to: str | None = None) -> tuple[dict[str, Any], str]:
    """The release to go back to and the commit it comes from.

    Without `to`: walking the stage file's history from the newest commit, the first release
    that differs from the one in the working tree.
    """
    repository = repository_root(directory)
    path = directory / f"{stage}.yaml"
    current = _release_in(path.read_text(encoding="utf-8"), str(path))
    if to is not None:
        commit = resolve_revision(repository, to)
        release = _release_in(file_at(repository, commit, path), str(path))
        if release is None:
            raise InputError([Problem(None, "", f"{path} has no release at {to}", "pick a revision where it had one")])
        return release, commit
    for commit in commits_touching(repository, path):
        release = _release_in(file_at(repository, commit, path), str(path))
        if release is not None and release != current:
            return release, commit
    raise InputError(
        [Problem(None, "", f"{stage} has no earlier release in the history of {path}", "name one with --to REV")]
    )


def plan_rollback(directory: Path, stage: str, to: str | None = None, allow_disruptive: bool = False) -> Promotion:
    """Restore an earlier release of a stage, through the same gate as a promotion."""
    release, commit = previous_release(directory, stage, to)
    return plan_release_change(directory, stage, release, f"{stage}@{commit[:12]}", allow_disruptive)
