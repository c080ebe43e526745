"""Where rendered manifests come from: a rendered folder, a git revision, or the working tree.

A git revision is rendered with that revision's own code, in a temporary detached worktree
(the user's working tree, index and branches are never touched); the worktree is removed
whether the render succeeds or fails.
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
from pipeline.manifest_input import read_manifests
from pipeline.render import KUSTOMIZATION, render_manifests
from pipeline.render_secrets import BASE_RENDER
from pipeline.signals import deferred

WORKTREE = "worktree"  # the name that means "the working tree's stage files"


@dataclass(frozen=True)
class RenderedSet:
    """Manifests per stage, from one source, and the release each stage runs where known."""

    label: str
    stages: dict[str, list[dict[str, Any]]]
    releases: dict[str, str] = field(default_factory=dict)


def from_working_tree(environments: Path, stages: list[str] | None) -> RenderedSet:
    """Render the stage files in place (the head of a pull request)."""
    envs = load_environments(environments, stages)
    return RenderedSet(
        "working tree",
        {e.stage: list(render_manifests(e)) for e in envs},
        {e.stage: e.release.version for e in envs},
    )


def from_directory(path: Path, stages: list[str] | None) -> RenderedSet:
    """A rendered folder: one stage (it holds a kustomization.yaml) or one sub-folder per stage."""
    if (path / KUSTOMIZATION).is_file():
        folders = {path.resolve().name: path}
    else:
        folders = {sub.name: sub for sub in sorted(path.iterdir()) if sub.is_dir() and not sub.name.startswith(".")}
    if stages:
        folders = {name: folder for name, folder in folders.items() if name in stages}
    if not folders:
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    f"{path}: no rendered stage here",
                    "pass a folder written by `pipeline render` (rendered/ or rendered/<stage>)",
                )
            ]
        )
    return RenderedSet(
        str(path), {name: [s.manifest for s in read_manifests([folder])] for name, folder in folders.items()}
    )


def git(repository: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run git in a repository; with check, a failure is an InputError that says what git said."""
    result = subprocess.run(["git", "-C", str(repository), *args], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    f"git {' '.join(args[:2])} failed: {result.stderr.strip()}",
                    "check the repository's state",
                )
            ]
        )
    return result


def repository_root(start: Path) -> Path:
    result = git(start, "rev-parse", "--show-toplevel", check=False)
    if result.returncode != 0:
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    f"{start.resolve()} is not inside a git repository",
                    "preview and diff against revisions need a git checkout",
                )
            ]
        )
    return Path(result.stdout.strip())


def resolve_revision(repository: Path, revision: str) -> str:
    result = git(repository, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}", check=False)
    if result.returncode != 0:
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    f"unknown git revision {revision!r}",
                    "name a branch, tag or commit, e.g. origin/main (fetch it first in CI)",
                )
            ]
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
            raise InputError(
                [
                    Problem(
                        None,
                        "",
                        f"cannot check out {revision} ({commit[:12]}) in a temporary worktree: {added.stderr.strip()}",
                        "check the repository's state",
                    )
                ]
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
            raise InputError(
                [
                    Problem(
                        None,
                        "",
                        f"rendering {revision} ({commit[:12]}) with its own code failed:\n"
                        f"{(result.stderr or result.stdout).strip()}",
                        "the base revision must render; fix it there or pick another base",
                    )
                ]
            )
        releases = {s["stage"]: s.get("release") for s in json.loads(result.stdout or "[]")}
        rendered = from_directory(out, stages)
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
    """A diff operand: `worktree`, a rendered folder, or a git revision (in that order)."""
    if argument == WORKTREE:
        return from_working_tree(environments, stages)
    path = Path(argument)
    if path.is_dir():
        return from_directory(path, stages)
    return from_revision(argument, environments, stages)
