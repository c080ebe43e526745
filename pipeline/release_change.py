"""What a change of a stage's release is: the one decision the gate, rollback and promote share.

A stage's new release is, in this order:
- a PROMOTION when it is the previous stage's release as merged;
- a ROLLBACK when the stage ran it before: a release its own stage file had in the history of
  the revision the change starts from (an incident must never wait for a promotion);
- a NEW_RELEASE in the first stage (new images enter there, judged by schema and policies);
- else a HOTFIX: refused unless approved for that stage (the pull request's `hotfix` label
  and the stage environment's reviewers in CI, `--approve-hotfix STAGE` on the command line).
Every kind is also held to the same gate (alone, release-derived differences only, no mandatory
failure, nothing disruptive unless allowed): that part lives in pipeline.promotion.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.errors import InputError
from model.source import parse_document
from pipeline.gitops import file_at, file_history, repository_root
from pipeline.promotion import differing_keys

HOTFIX_LABEL = "hotfix"  # the pull-request label that asks for a hotfix approval (CI turns it into the flag)


class ReleaseChange(enum.Enum):
    NEW_RELEASE = "new release"
    PROMOTION = "promotion"
    ROLLBACK = "rollback"
    HOTFIX = "hotfix"


@dataclass(frozen=True)
class PastRelease:
    """A release a stage file held, and the newest commit that wrote it."""

    release: dict[str, Any]
    commit: str

    @property
    def version(self) -> str:
        return str(self.release.get("version"))


@dataclass(frozen=True)
class ReleaseVerdict:
    """The kind of a release change, what refuses it (nothing when accepted), and what to say of it."""

    kind: ReleaseChange
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def release_in(text: str | None, name: str) -> dict[str, Any] | None:
    """The release mapping of a stage file's text (None: no file, no release, or not parseable)."""
    if text is None:
        return None
    try:
        data = parse_document(text, name).data
    except InputError:  # a broken commit in the history is no release anyone ran
        return None
    release = data.get("release") if isinstance(data, dict) else None
    return release if isinstance(release, dict) else None


def past_releases(repository: Path, stage_file: Path, revision: str) -> list[PastRelease]:
    """The releases the stage file held in the history of revision, newest first, each once."""
    seen: list[PastRelease] = []
    for commit, text in file_history(repository, stage_file, revision):
        release = release_in(text, f"{revision}:{stage_file.name}")
        if release is not None and all(past.release != release for past in seen):
            seen.append(PastRelease(release, commit))
    return seen


def classify_release_change(
    order: tuple[str, ...],
    stage: str,
    release: dict[str, Any],
    previous_stage_release: dict[str, Any] | None,
    history: list[PastRelease],
    approved_hotfixes: Collection[str] = (),
) -> ReleaseVerdict:
    """What the stage's new release is, given the previous stage's release and the stage's own past."""
    index = order.index(stage)
    if index > 0 and release == previous_stage_release:
        return ReleaseVerdict(ReleaseChange.PROMOTION)
    for past in history:
        if past.release == release:
            said = f"back to release {past.version}, which {stage} ran at {past.commit[:12]}"
            return ReleaseVerdict(ReleaseChange.ROLLBACK, notes=(said,))
    if index == 0:
        return ReleaseVerdict(ReleaseChange.NEW_RELEASE)
    source = order[index - 1]
    if stage in approved_hotfixes:
        return ReleaseVerdict(
            ReleaseChange.HOTFIX, notes=(f"approved hotfix: release {release.get('version')} is not {source}'s",)
        )
    differs = ", ".join("release." + key for key in differing_keys(previous_stage_release or {}, release))
    return ReleaseVerdict(
        ReleaseChange.HOTFIX,
        problems=(
            f"the release is neither {source}'s (it differs at {differs or 'release'}) "
            f"nor one {stage} ran before: that is a hotfix, refused without an approval; promote with "
            f"`pipeline promote {source} {stage}`, roll back with `pipeline rollback --stage {stage}`, or have the "
            f"hotfix approved (label `{HOTFIX_LABEL}` and the {stage} environment's reviewers; "
            f"`pipeline gate --approve-hotfix {stage}`)",
        ),
    )


def classify_at(
    directory: Path,
    order: tuple[str, ...],
    stage: str,
    release: dict[str, Any],
    revision: str,
    approved_hotfixes: Collection[str] = (),
) -> ReleaseVerdict:
    """classify_release_change against the stage files as they were at revision (the change's base)."""
    repository = repository_root(directory)
    index = order.index(stage)
    previous = None
    if index:
        source = directory / f"{order[index - 1]}.yaml"
        previous = release_in(file_at(repository, revision, source), str(source))
    history = past_releases(repository, directory / f"{stage}.yaml", revision)
    return classify_release_change(order, stage, release, previous, history, approved_hotfixes)
