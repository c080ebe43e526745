"""Promotion: a stage's release becomes the next stage's, through a gate.

The gate passes only if every difference the new release makes to the target stage is
release-derived (images, the release configuration and its checksum, the version label),
nothing is created, replaced or deleted (replacements and deletions may be allowed), and no
mandatory policy fails in the target. The baseline is the target as committed, so local edits
that are not the release are differences the gate names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.environment import Environment
from model.errors import InputError, Problem
from model.loader import DEFAULTS_FILE, load_environment, load_stage_order
from model.source import parse_document
from model.writer import FileEdit, dump_round_trip, edit_text, load_round_trip, replace_mapping
from pipeline.check import check_stage
from pipeline.diff.engine import diff_stage
from pipeline.diff.model import FieldChange, ResourceChange, RolloutClass, StageDiff
from pipeline.gitops import file_at, repository_root
from pipeline.preview import Preview, StagePreview
from pipeline.render import RenderedStage, render_manifests, render_stage
from pipeline.reports import preview_markdown
from pipeline.verdict import StageCheck

_RELEASE_FIELDS = (
    re.compile(r"\.image$"),
    re.compile(r"\['checksum/config'\]$"),
    re.compile(r"\['app\.kubernetes\.io/version'\]$"),
)


@dataclass(frozen=True)
class GateProblem:
    """Why a promotion may not pass: what differs where, and why that blocks."""

    resource: str
    path: str
    why: str

    def __str__(self) -> str:
        where = f"{self.resource} {self.path}".strip()
        return f"{where}: {self.why}"


def release_derived(change: ResourceChange, field: FieldChange) -> bool:
    """Whether a field change comes from the release (images, release config, its checksum, version)."""
    if any(pattern.search(field.path) for pattern in _RELEASE_FIELDS):
        return True
    rid = change.resource_id
    return rid.kind == "ConfigMap" and rid.name.endswith("-config") and field.path == "data['config.yaml']"


def gate_problems(diff: StageDiff, check: StageCheck | None, allow_disruptive: bool) -> list[GateProblem]:
    """Everything that stops a release from moving into this stage."""
    return diff_problems(diff, allow_disruptive) + check_problems(check)


def diff_problems(diff: StageDiff, allow_disruptive: bool) -> list[GateProblem]:
    """What a release may not do to a stage: create, delete or replace, or change a stage-owned setting."""
    problems = []
    for change in diff.changes:
        if change.rollout is RolloutClass.CREATE:
            problems.append(GateProblem(change.title, "", "would be created: a release creates nothing"))
        elif change.rollout.disruptive and not allow_disruptive:
            verb = "deleted" if change.rollout is RolloutClass.DELETE else f"replaced ({'; '.join(change.reasons)})"
            problems.append(GateProblem(change.title, "", f"would be {verb}; pass --allow-disruptive if intended"))
        stage_owned = [field.path for field in change.changes if not release_derived(change, field)]
        if stage_owned:
            shown = ", ".join(stage_owned[:3]) + (f" and {len(stage_owned) - 3} more" if len(stage_owned) > 3 else "")
            problems.append(
                GateProblem(
                    change.title,
                    "",
                    f"{shown} differ and are not release-derived "
                    "(stage-owned settings: change them in their own pull request)",
                )
            )
    return problems


def check_problems(check: StageCheck | None) -> list[GateProblem]:
    """The stage's schema problems and mandatory policy failures after the change."""
    if check is None:
        return []
    return [GateProblem(p.resource, p.path, f"schema: {p.message}") for p in check.schema_problems] + [
        GateProblem(f.resource, f.path, f"mandatory policy {f.rule_id}: is {f.observed}, must be {f.expected}")
        for f in check.mandatory_failures
    ]


@dataclass(frozen=True)
class Promotion:
    """A planned promotion: the edit of the target file, what it changes, and the verdict."""

    source: str
    target: str
    release: str
    edit: FileEdit
    rendered: RenderedStage  # the target after the change: written to rendered/ with the file
    diff: StageDiff
    check: StageCheck
    problems: tuple[GateProblem, ...]
    base_release: str
    committed_after: str | None = None  # the committed target file with the new release (for --branch)
    kind: str = "promotion"  # a release_change.ReleaseChange's value
    notes: tuple[str, ...] = ()  # what the release change is, in words (a rollback: to which release)

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def branch_text(self) -> str:
        """What the promotion branch commits: the committed file with only its release replaced."""
        return self.committed_after if self.committed_after is not None else self.edit.after

    @property
    def branch(self) -> str:
        return f"promote/{self.source}-to-{self.target}-{self.release}"

    def preview(self) -> Preview:
        stage = StagePreview(self.target, self.diff, self.check, self.check.findings, self.release, self.base_release)
        return Preview(f"{self.target} as committed", f"{self.target} with {self.source}'s release", (stage,))

    def commit_message(self) -> str:
        counts = ", ".join(f"{n} {kind}" for kind, n in self.diff.counts.items() if n) or "no resource changes"
        images = sorted(
            {
                f"{c.resource_id.name} {_version(f.old)} -> {_version(f.new)}"
                for c in self.diff.changes
                if c.resource_id.kind != "CronJob"
                for f in c.changes
                if f.path.endswith(".image")
            }
        )
        return (
            f"Promote release {self.release} from {self.source} to {self.target}\n\n"
            f"{self.target}: release {self.base_release} -> {self.release} ({counts}).\n"
            + "".join(f"- {line}\n" for line in images)
            + f"Gate: passed ({len(self.check.rules)} rules, no mandatory failure).\n"
        )

    def pull_request_body(self) -> str:
        return preview_markdown.render(self.preview(), allow_disruptive=True)


def _version(reference: str | None) -> str:
    return (reference or "none").split("@", 1)[0]


def committed_texts(directory: Path, stage: str) -> dict[str, str]:
    """defaults.yaml and <stage>.yaml as committed at HEAD (empty outside git or when untracked)."""
    try:
        repository = repository_root(directory)
    except InputError:
        return {}
    texts = {}
    for name in (DEFAULTS_FILE, f"{stage}.yaml"):
        text = file_at(repository, "HEAD", directory / name)
        if text is not None:
            texts[name] = text
    return texts


def release_of(env: Environment) -> dict[str, Any]:
    """A stage's release as plain data, as it would be written."""
    return {
        "version": env.release.version,
        "images": dict(env.release.images),
        "config": {k: _plain(v) for k, v in env.release.config.items()},
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def check_order(order: tuple[str, ...], source: str, target: str) -> None:
    """Promotion goes to the very next stage: no skipping, no going back."""
    for stage in (source, target):
        if stage not in order:
            raise InputError([Problem(None, "", f"unknown stage {stage!r}", f"the stages are {', '.join(order)}")])
    if order.index(target) != order.index(source) + 1:
        expected = order[order.index(source) + 1] if order.index(source) + 1 < len(order) else None
        hint = f"{source} promotes to {expected}" if expected else f"{source} is the last stage"
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    f"cannot promote {source} -> {target}: promotion goes stage by stage ({' -> '.join(order)})",
                    hint,
                )
            ]
        )


def plan_promotion(directory: Path, source: str, target: str, allow_disruptive: bool = False) -> Promotion:
    """Everything a promotion would do, judged; nothing is written."""
    order = load_stage_order(directory)
    check_order(order, source, target)
    release = release_of(load_environment(directory, source, order))
    return plan_release_change(directory, target, release, source, allow_disruptive)


def plan_release_change(
    directory: Path,
    target: str,
    release: dict[str, Any],
    source: str,
    allow_disruptive: bool = False,
    new_release: bool = False,
) -> Promotion:
    """A stage's release replaced by another (a promotion, a rollback), judged by the gate.

    The baseline is the target as committed; local edits of its file (outside the release) or
    of defaults.yaml are not part of a promotion and block it, whether or not they render.
    new_release: the release enters the first stage new, judged by the schema and the policies
    only (as `pipeline gate` judges it).
    """
    order = load_stage_order(directory)
    target_file = directory / f"{target}.yaml"
    committed = committed_texts(directory, target)
    before = load_environment(directory, target, order, committed)
    edit = edit_text(target_file, lambda document: replace_mapping(document["release"], release))
    after = load_environment(directory, target, order, {target_file.name: edit.after})
    rendered = render_stage(after)
    after_manifests = list(rendered.manifests)
    diff = diff_stage(target, render_manifests(before), after_manifests)
    check = check_stage(after, manifests=after_manifests)
    found = check_problems(check) if new_release else gate_problems(diff, check, allow_disruptive)
    problems = _local_edits(directory, committed, target_file.name) + found
    committed_after = None
    if target_file.name in committed:
        document = load_round_trip(committed[target_file.name])
        replace_mapping(document["release"], release)
        committed_after = dump_round_trip(document)
    return Promotion(
        source,
        target,
        release["version"],
        edit,
        rendered,
        diff,
        check,
        tuple(problems),
        before.release.version,
        committed_after,
    )


def branch_render(directory: Path, promotion: Promotion) -> RenderedStage:
    """The target stage as the promotion branch has it: the committed files with the new release."""
    texts = {**committed_texts(directory, promotion.target), f"{promotion.target}.yaml": promotion.branch_text}
    return render_stage(load_environment(directory, promotion.target, None, texts))


def differing_keys(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two documents (mappings compared key by key)."""
    keys = []
    for key in sorted(set(before) | set(after), key=str):
        if before.get(key) == after.get(key):
            continue
        if isinstance(before.get(key), dict) and isinstance(after.get(key), dict):
            keys += differing_keys(before[key], after[key], f"{prefix}{key}.")
        else:
            keys.append(f"{prefix}{key}")
    return keys


def _local_edits(directory: Path, committed: dict[str, str], target_name: str) -> list[GateProblem]:
    """Uncommitted changes to the target file (outside its release) and to defaults.yaml."""
    problems = []
    for name in (DEFAULTS_FILE, target_name):
        if name not in committed:
            continue
        old = parse_document(committed[name], name).data or {}
        new = parse_document((directory / name).read_text(encoding="utf-8"), name).data or {}
        keys = [k for k in differing_keys(old, new) if not (name == target_name and k.startswith("release"))]
        if keys:
            problems.append(
                GateProblem(
                    str(directory / name),
                    "",
                    f"uncommitted changes to {', '.join(keys)}: a "
                    "promotion carries the release only; commit or revert them first",
                )
            )
    return problems
