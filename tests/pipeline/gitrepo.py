"""Temporary git repositories holding a copy of this repository's code and stage files.

The acceptance tests of `pipeline diff` and `pipeline preview` need a real git checkout whose
commits they can render (the base revision is rendered with its own code in a temporary
worktree) and whose working tree they can edit (the head of a pull request). A GitRepo is such
a checkout: the code, the stage files and nothing else, committed once as `main`.

Two ways to run the command line in it:
- run(): in this process (chdir into the repository, call pipeline.cli.main). The head is then
  rendered with the code this test process imported, so use it only when the code is not edited.
- run_subprocess(): `python -m pipeline.cli` with the repository first on the import path, for
  heads that edit the code itself (components/, kube/, ...).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.cli import main

REPOSITORY = Path(__file__).resolve().parents[2]
# What rendering, checking and previewing a stage needs; the schema symlink is copied as a file.
COPIED = (
    "environments",
    "rendered",
    "model",
    "kube",
    "components",
    "stacks",
    "pipeline",
    "policies",
    "pyproject.toml",
)
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.egg-info")
BASE_PREFIX = "pipeline-base-"  # the scratch folders pipeline.sources makes for base renders


@dataclass(frozen=True)
class Result:
    """What a command line run gave back; scratch: the base-render folders it made (in-process runs)."""

    code: int
    out: str
    err: str
    scratch: tuple[Path, ...] = ()


class GitRepo:
    """A git checkout at path; every helper works inside it and never outside.

    The command line runs with its own temp dir (TMPDIR) beside the repository, so what it
    leaves there is its own and not another process's.
    """

    def __init__(self, path: Path):
        self.path = path
        self.tmp = path.parent / f"{path.name}-tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    # git ---------------------------------------------------------------------------------
    def git(self, *args: str) -> str:
        result = subprocess.run(["git", "-C", str(self.path), *args], capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"git {' '.join(args)} failed: {result.stderr}"
        return result.stdout

    def commit(self, message: str) -> str:
        """Commit everything in the working tree; the new commit's id."""
        self.git("add", "-A")
        self.git("commit", "-q", "--no-verify", "-m", message)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def branch(self) -> str:
        return self.git("symbolic-ref", "--short", "HEAD").strip()

    def status(self) -> str:
        """`git status --porcelain`: what the working tree and the index hold beyond HEAD."""
        return self.git("status", "--porcelain")

    def worktrees(self) -> list[str]:
        """The worktree paths git knows of (the main one first)."""
        return [
            line.removeprefix("worktree ")
            for line in self.git("worktree", "list", "--porcelain").splitlines()
            if line.startswith("worktree ")
        ]

    def scratch_folders(self) -> set[str]:
        """The base-render scratch folders in the command line's temp dir (none should outlive a command)."""
        return {p.name for p in self.tmp.iterdir() if p.name.startswith(BASE_PREFIX)}

    def restore(self, commit: str | None = None) -> None:
        """Back to a clean checkout of commit (default: HEAD) on the current branch."""
        if commit is not None:
            self.git("reset", "-q", "--hard", commit)
        self.git("checkout", "-q", "--", ".")
        self.git("reset", "-q", "--hard")
        self.git("clean", "-q", "-fd")

    # files -------------------------------------------------------------------------------
    def read(self, relative: str) -> str:
        return (self.path / relative).read_text()

    def write(self, relative: str, text: str, commit: str | None = None) -> str | None:
        """Write a file; with commit, commit it with that message and return the commit id."""
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return self.commit(commit) if commit else None

    def edit(self, relative: str, old: str, new: str, count: int = 1, commit: str | None = None) -> str | None:
        """Replace old by new (count times; 0: every occurrence) in a file; fails the test if old is absent."""
        text = self.read(relative)
        assert old in text, f"{old!r} not in {relative}"
        if count:
            assert text.count(old) >= count, f"{old!r} occurs {text.count(old)} times in {relative}, not {count}"
        return self.write(relative, text.replace(old, new, count or -1), commit)

    # the command line --------------------------------------------------------------------
    def run(self, *argv: str) -> Result:
        """pipeline.cli.main(argv) in this process, in the repository (code as this process imported it)."""
        out, err = io.StringIO(), io.StringIO()
        made: list[Path] = []
        real_mkdtemp = tempfile.mkdtemp

        def mkdtemp(*args, **kwargs):
            path = real_mkdtemp(*args, **kwargs)
            if Path(path).name.startswith(BASE_PREFIX):
                made.append(Path(path))
            return path

        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(self.path)
            patch.setenv("TMPDIR", str(self.tmp))
            patch.setattr(tempfile, "tempdir", str(self.tmp))
            patch.setattr(tempfile, "mkdtemp", mkdtemp)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(list(argv))
        return Result(code, out.getvalue(), err.getvalue(), tuple(made))

    def run_subprocess(self, *argv: str) -> Result:
        """`python -m pipeline.cli argv` with the repository's own code (for heads that edit the code)."""
        env = {**os.environ, "PYTHONPATH": str(self.path), "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(self.tmp)}
        env.pop("PIPELINE_DEBUG", None)
        result = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", *argv],
            cwd=self.path,
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=300,
        )
        return Result(result.returncode, result.stdout, result.stderr)


def build_repo(target: Path) -> GitRepo:
    """A new git repository at target holding the code and stage files of this repository, committed on main."""
    target.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        source = REPOSITORY / name
        if source.is_dir():
            shutil.copytree(source, target / name, symlinks=False, ignore=IGNORED)
        else:
            shutil.copy2(source, target / name)
    (target / ".gitignore").write_text("__pycache__/\n*.pyc\n")
    repo = GitRepo(target)
    subprocess.run(["git", "init", "-q", "-b", "main", str(target)], check=True, capture_output=True)
    repo.git("config", "user.name", "Pipeline Tests")
    repo.git("config", "user.email", "tests@agentflow.example.com")
    repo.git("config", "commit.gpgsign", "false")
    repo.commit("base: the repository as it is")
    return repo
