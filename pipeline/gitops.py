"""Git for stage files: files at a revision, a section's history, commits on a side branch.

A commit on a side branch is made in a temporary worktree, so the user's branch, index and
working tree are never touched; the worktree is removed whatever happens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from model.errors import InputError, Problem
from model.writer import write_atomically
from pipeline.signals import deferred
from pipeline.sources import git, remove_worktree, repository_root, resolve_revision


def file_at(repository: Path, revision: str, path: Path) -> str | None:
    """A file's text at a revision, or None when it did not exist there."""
    relative = os.path.relpath(path.resolve(), repository)
    result = git(repository, "show", f"{revision}:{relative}", check=False)
    return result.stdout if result.returncode == 0 else None


def file_history(repository: Path, path: Path, revision: str = "HEAD") -> list[tuple[str, str]]:
    """(commit, text) of each commit reachable from revision that changed a file, newest first.

    Two git processes whatever the history's length: the log, then every version in one
    `cat-file --batch` (a commit that deleted the file has no version and is left out).
    """
    relative = os.path.relpath(path.resolve(), repository)
    log = git(repository, "log", "--format=%H", revision, "--", relative, check=False)
    commits = log.stdout.split() if log.returncode == 0 else []
    if not commits:
        return []
    batch = subprocess.run(
        ["git", "-C", str(repository), "cat-file", "--batch"],
        input="".join(f"{commit}:{relative}\n" for commit in commits).encode(),
        capture_output=True,
        check=False,
    )
    versions, output, at = [], batch.stdout, 0
    for commit in commits:
        end = output.index(b"\n", at)
        header = output[at:end].split()
        at = end + 1
        if len(header) != 3:  # "<name> missing": the file did not exist at that commit
            continue
        size = int(header[2])
        versions.append((commit, output[at : at + size].decode("utf-8", errors="replace")))
        at += size + 1
    return versions


def commit_on_branch(
    repository: Path,
    branch: str,
    files: Mapping[Path, str],
    message: str,
    trees: Mapping[Path, Mapping[str, str]] | None = None,
) -> str:
    """Commit files (absolute path -> text) on a new branch from HEAD; returns the commit id.

    trees: folders (absolute path -> their files, relative path -> text) replaced whole, so
    files a change drops are deleted on the branch too (a rendered stage).
    """
    if git(repository, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False).returncode == 0:
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    f"branch {branch} already exists",
                    "delete it, or promote a release that has not been promoted yet",
                )
            ]
        )
    scratch = Path(tempfile.mkdtemp(prefix="pipeline-branch-"))
    tree = scratch / "tree"
    try:
        with deferred():  # a signal during the add would leave a worktree git cannot remove
            git(repository, "worktree", "add", "--quiet", "-b", branch, str(tree), "HEAD")
        for path, text in files.items():
            relative = os.path.relpath(path.resolve(), repository)
            write_atomically(tree / relative, text)
            git(tree, "add", relative)
        for folder, contents in (trees or {}).items():
            relative = os.path.relpath(folder.resolve(), repository)
            shutil.rmtree(tree / relative, ignore_errors=True)
            for name, text in contents.items():
                (tree / relative / name).parent.mkdir(parents=True, exist_ok=True)
                (tree / relative / name).write_text(text, encoding="utf-8")
            git(tree, "add", "-A", "--", relative)
        git(tree, "commit", "--quiet", "-m", message)
        return git(tree, "rev-parse", "HEAD").stdout.strip()
    except BaseException:
        remove_worktree(repository, scratch)  # before the branch: git keeps a branch a worktree has out
        git(repository, "branch", "-D", branch, check=False)
        raise
    finally:
        remove_worktree(repository, scratch)


__all__ = ["commit_on_branch", "file_history", "file_at", "repository_root", "resolve_revision"]
