"""Where the manifests of a diff come from: a git revision, the working tree, a rendered folder, any YAML.

A git revision is rendered with that revision's own code, in a temporary detached worktree
(the user's working tree, index and branches are never touched); the worktree is removed
whether the render succeeds or fails. A folder render wrote (a stage tree) holds stages; any
other YAML file or folder is one unnamed set (pipeline.manifest_sets). Two operands keep their
stages only when both have stages; otherwise each side is one set (resolve_sources).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from model.errors import InputError, Problem
from model.loader import load_environments
from pipeline.input_text import STDIN, display_name
from pipeline.manifest_input import SUFFIXES, read_manifests
from pipeline.manifest_sets import UNNAMED, one_set, read_plain, stage_folders
from pipeline.render import render_manifests
from pipeline.render_secrets import BASE_RENDER
from pipeline.signals import deferred

WORKTREE = "worktree"  # the name that means "the working tree's stage files"


@dataclass(frozen=True)
class RenderedSet:
    """Manifests per stage, from one source, and the release each stage runs where known.

    staged False: one set of manifests that is no stage (plain YAML), under the key UNNAMED;
    skipped: the files read and skipped as holding no Kubernetes object.
    """

    label: str
    stages: dict[str, list[dict[str, Any]]]
    releases: dict[str, str] = field(default_factory=dict)
    staged: bool = True
    skipped: tuple[str, ...] = ()

    def as_one_set(self) -> RenderedSet:
        """Every stage's manifests as one unnamed set (an object in two stages is an InputError)."""
        if not self.staged:
            return self
        return RenderedSet(self.label, {UNNAMED: one_set(self.label, self.stages)}, staged=False)


def from_working_tree(environments: Path, stages: list[str] | None) -> RenderedSet:
    """Render the stage files in place (the head of a pull request)."""
    envs = load_environments(environments, stages)
    return RenderedSet(
        "working tree",
        {e.stage: list(render_manifests(e)) for e in envs},
        {e.stage: e.release.version for e in envs},
    )


def from_directory(path: Path, stages: list[str] | None, marked: bool = True) -> RenderedSet:
    """A stage tree: one stage folder (rendered/<stage>) or rendered/ (a stage folder per stage).

    marked=False: a render's own output folder, each sub-folder a stage (a base revision's code may
    predate the mark render writes).
    """
    if marked:
        folders = stage_folders(path) or {}
    else:
        folders = {sub.name: sub for sub in sorted(path.iterdir()) if sub.is_dir() and not sub.name.startswith(".")}
    if stages:
        folders = {name: folder for name, folder in folders.items() if name in stages}
    if not folders:
        raise _bad(
            f"{path}: no rendered stage here" + (f" of {', '.join(stages)}" if stages else ""),
            "pass a folder written by `pipeline render` (rendered/ or rendered/<stage>)",
        )
    return RenderedSet(
        str(path), {name: [s.manifest for s in read_manifests([folder])] for name, folder in folders.items()}
    )


def from_yaml(path: Path) -> RenderedSet:
    """Any YAML file or folder as one set of manifests (no kustomization needed)."""
    manifests, skipped = read_plain(path)
    return RenderedSet(display_name(path), {UNNAMED: manifests}, staged=False, skipped=skipped)


def _bad(message: str, hint: str) -> InputError:
    return InputError([Problem(None, "", message, hint)])


def git(repository: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run git in a repository; with check, a failure is an InputError that says what git said."""
    result = subprocess.run(["git", "-C", str(repository), *args], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise _bad(f"git {' '.join(args[:2])} failed: {result.stderr.strip()}", "check the repository's state")
    return result


def repository_root(start: Path) -> Path:
    result = git(start, "rev-parse", "--show-toplevel", check=False)
    if result.returncode != 0:
        raise _bad(
            f"{start.resolve()} is not inside a git repository",
            "preview and diff against revisions need a git checkout",
        )
    return Path(result.stdout.strip())


def resolve_revision(repository: Path, revision: str) -> str:
    result = git(repository, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", check=False)
    if result.returncode != 0:
        raise _bad(
            f"unknown git revision {revision!r}",
            "name a branch, tag or commit, e.g. origin/main (fetch it first in CI)",
        )
    return result.stdout.strip()


def from_revision(revision: str, environments: Path, stages: list[str] | None) -> RenderedSet:
    """Render a git revision with its own code in a temporary worktree, removed afterwards."""
    repository = repository_root(environments if environments.exists() else Path.cwd())
    commit = resolve_revision(repository, revision)
    relative = os.path.relpath(environments.resolve(), repository) if environments.exists() else "environments"
    scratch = Path(tempfile.mkdtemp(prefix="pipeline-base-"))
    tree, out = scratch / "tree", scratch / "rendered"
    try:
        # The user's hooks (post-checkout, git-lfs) have no business in a throwaway checkout.
        with deferred():  # a signal during the add would leave a worktree git cannot remove
            added = git(
                repository,
                "-c",
                "core.hooksPath=/dev/null",
                "worktree",
                "add",
                "--detach",
                "--quiet",
                str(tree),
                commit,
                check=False,
            )
        if added.returncode != 0:
            raise _bad(
                f"cannot check out {revision} ({commit[:12]}) in a temporary worktree: {added.stderr.strip()}",
                "check the repository's state",
            )
        if not (tree / relative).is_dir():
            return RenderedSet(f"{revision} ({commit[:12]})", {})  # the stages did not exist yet
        # Only the stages asked for (a sharded preview renders its own stage), of those the base has.
        # (An unreadable stage order renders every stage, and that render says what is wrong.)
        order = _stage_order(tree / relative)
        wanted = [s for s in stages or () if s in order]
        if stages and order and not wanted:
            return RenderedSet(f"{revision} ({commit[:12]})", {})
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pipeline.cli",
                "render",
                "--environments",
                relative,
                "--out",
                str(out),
                "--format",
                "json",
                *[arg for stage in wanted for arg in ("--stage", stage)],
            ],
            cwd=tree,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(tree), BASE_RENDER: "1"},  # a scratch render, read then removed
        )
        if result.returncode != 0:
            raise _bad(
                f"rendering {revision} ({commit[:12]}) with its own code failed:\n"
                f"{(result.stderr or result.stdout).strip()}",
                "the base revision must render; fix it there or pick another base",
            )
        releases = {s["stage"]: s.get("release") for s in json.loads(result.stdout or "[]")}
        rendered = from_directory(out, stages, marked=False)
        return RenderedSet(
            f"{revision} ({commit[:12]})",
            rendered.stages,
            {k: v for k, v in releases.items() if v and (not stages or k in stages)},
        )
    finally:
        remove_worktree(repository, scratch)


def remove_worktree(repository: Path, scratch: Path) -> None:
    """Remove a temporary worktree (scratch/tree) and its registration, however far its making got.

    `git worktree add` locks the worktree while it makes it: one cut short by a signal stays
    locked, and neither `remove --force` nor `prune` touch a locked worktree. So: unlock, remove
    (forced twice: locked or not), drop the folder, then prune every registration whose folder is gone.
    """
    tree = str(scratch / "tree")
    with deferred():  # cleanup runs to its end: an interrupt now would leave the worktree after all
        git(repository, "worktree", "unlock", tree, check=False)
        git(repository, "worktree", "remove", "--force", "--force", tree, check=False)
        shutil.rmtree(scratch, ignore_errors=True)
        git(repository, "worktree", "prune", check=False)


def _stage_order(environments: Path) -> list[str]:
    """The stages a revision's stages.yaml lists (read leniently: that revision's own render judges it)."""
    try:
        stages = yaml.safe_load((environments / "stages.yaml").read_text(encoding="utf-8")).get("stages")
    except (OSError, yaml.YAMLError, AttributeError):
        return []
    return [s for s in stages if isinstance(s, str)] if isinstance(stages, list) else []


def resolve_source(argument: str, environments: Path, stages: list[str] | None) -> RenderedSet:
    """A diff operand: `worktree`, a stage tree, any YAML file or folder, or a git revision (in that order)."""
    if argument == WORKTREE:
        return from_working_tree(environments, stages)
    path = Path(argument)
    if stage_folders(path) is not None:
        return from_directory(path, stages)
    if path.exists() or argument == STDIN:
        return from_yaml(path)
    if argument.endswith(("/", *SUFFIXES)) or argument.startswith((".", "/", "~")):
        raise _bad(f"{argument}: no such file or folder", "pass YAML files or folders, or a git revision")
    return from_revision(argument, environments, stages)


def has_stages(argument: str) -> bool:
    """Whether an operand has stages: `worktree`, a git revision or a stage tree (not plain YAML, nor - for stdin)."""
    path = Path(argument)
    return argument == WORKTREE or stage_folders(path) is not None or not (path.exists() or argument == STDIN)


def resolve_sources(
    old: str, new: str, environments: Path, stages: list[str] | None
) -> tuple[RenderedSet, RenderedSet]:
    """Both operands of a diff: per stage when both have stages, else each side as one unnamed set.

    --stage (stages) picks stages of the sides that have them; with neither side having any it is an InputError.
    """
    if stages and not has_stages(old) and not has_stages(new):
        raise _bad(
            f"--stage {' '.join(stages)}: {old} and {new} are plain YAML, with no stages",
            "--stage picks stages of renders (git revisions, `worktree`, folders `pipeline render` wrote)",
        )
    base, head = resolve_source(old, environments, stages), resolve_source(new, environments, stages)
    if base.staged and head.staged:
        return base, head
    return base.as_one_set(), head.as_one_set()
