"""pipeline gate: a pull request that changes a stage's release must be a clean release change.

Per stage, base against head: a changed release must be a promotion, a rollback, a new release
in the first stage or an approved hotfix (pipeline.release_change decides which, for the gate
and for `pipeline rollback` alike), come alone (stage-owned changes to the same stage, or to the
shared defaults, belong in another pull request), and pass the promotion gate (only
release-derived differences, no mandatory failure, nothing replaced or deleted unless allowed).
Stage-owned changes without a release change are allowed and reported.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.loader import DEFAULTS_FILE, load_environment, load_stage_order, select_stages
from model.source import parse_document
from model.stage_file import read_stage_text
from pipeline.check import check_stage
from pipeline.diff.engine import diff_stage
from pipeline.gitops import file_at, repository_root, resolve_revision
from pipeline.promotion import check_problems, differing_keys, gate_problems
from pipeline.release_change import ReleaseChange, classify_at
from pipeline.render import render_stage


@dataclass(frozen=True)
class StageGate:
    """The verdict on one stage of a pull request."""

    stage: str
    kind: str  # a ReleaseChange's value (promotion, rollback, new release, hotfix) | stage-owned | unchanged
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "kind": self.kind,
            "passed": self.passed,
            "problems": list(self.problems),
            "notes": list(self.notes),
            "counts": self.counts,
        }


def _plain(text: str | None, name: str) -> dict[str, Any] | None:
    if text is None:
        return None
    data = parse_document(text, name).data
    return data if isinstance(data, dict) else {}


def gate_pull_request(
    directory: Path, base: str, allow_disruptive: bool = False, approved_hotfixes: Collection[str] = ()
) -> list[StageGate]:
    """Judge every stage of the working tree against the base revision.

    approved_hotfixes: the stages whose hotfix (a release that is neither the previous stage's nor
    one the stage ran before) the pull request has approved.
    """
    repository = repository_root(directory)
    commit = resolve_revision(repository, base)
    order = load_stage_order(directory)
    select_stages(order, approved_hotfixes, directory)
    names = [DEFAULTS_FILE] + [f"{stage}.yaml" for stage in order]
    base_texts = {name: file_at(repository, commit, directory / name) for name in names}
    head_texts = {name: read_stage_text(directory / name, name) for name in names}  # a FIFO is refused, not read
    base_docs = {name: _plain(text, f"{base}:{name}") for name, text in base_texts.items()}
    head_docs = {name: _plain(text, name) for name, text in head_texts.items()}
    shared = differing_keys(base_docs[DEFAULTS_FILE] or {}, head_docs[DEFAULTS_FILE] or {})
    verdicts = []
    for stage in order:
        name = f"{stage}.yaml"
        before, after = base_docs[name] or {}, head_docs[name] or {}
        owned = [key for key in differing_keys(before, after) if not key.startswith("release")]
        if before.get("release") == after.get("release"):
            changed = owned + [f"{DEFAULTS_FILE}: {key}" for key in shared]
            verdicts.append(
                StageGate(
                    stage,
                    "stage-owned" if changed else "unchanged",
                    notes=tuple(f"stage-owned change: {key}" for key in changed),
                )
            )
            continue
        problems = []
        if owned or shared:
            listed = ", ".join(owned + [f"{DEFAULTS_FILE}: {key}" for key in shared])
            problems.append(
                f"mixes a release change with stage-owned changes ({listed}): split it into two pull "
                "requests, the promotion alone and the stage-owned change alone"
            )
        verdict = classify_at(directory, order, stage, after.get("release") or {}, commit, approved_hotfixes)
        problems += verdict.problems
        texts_before = {
            key: text for key, text in base_texts.items() if text is not None and key in (DEFAULTS_FILE, name)
        }
        env_before = load_environment(directory, stage, order, texts_before)
        env_after = load_environment(directory, stage, order)
        old, new = list(render_stage(env_before).manifests), list(render_stage(env_after).manifests)
        diff = diff_stage(stage, old, new)
        check = check_stage(env_after, manifests=new)
        # New images enter the first stage: only the schema and the policies judge them there.
        new_release = verdict.kind is ReleaseChange.NEW_RELEASE
        found = check_problems(check) if new_release else gate_problems(diff, check, allow_disruptive)
        problems += [str(problem) for problem in found]
        verdicts.append(
            StageGate(
                stage,
                verdict.kind.value,
                tuple(problems),
                (f"release {before.get('release', {}).get('version')} -> {after.get('release', {}).get('version')}",)
                + verdict.notes,
                diff.counts,
            )
        )
    return verdicts
