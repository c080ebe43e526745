"""`pip install .` as a user runs it: no lock file, no extras, into a fresh virtualenv.

Twice: here at the newest versions pyproject's ranges admit, and in test_install_lower_bounds.py
with every runtime dependency at its lower bound (tools/lower_bounds.py); two files, so that
`make test` builds the two virtualenvs on two workers at once. Each time every command must start (its --help
imports all it needs) and render, check, diff, status and docs must run on the repository's
stage files, rendering byte for byte what this checkout's pinned install renders.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from model.loader import load_environments
from pipeline.cli import COMMANDS
from pipeline.render import render_stage
from tests.conftest import ENVIRONMENTS, REPOSITORY

pytestmark = pytest.mark.slow


def source_tree(target: Path) -> Path:
    """The files a clone would have (tracked and new, not ignored), copied: the install never writes here."""
    listed = subprocess.run(
        ["git", "-C", str(REPOSITORY), "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for relative in filter(None, listed):
        source = REPOSITORY / relative
        if source.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative, follow_symlinks=True)
    return target


def run(command: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    # PYTHONPATH and the like from this test process must not make the venv find this checkout.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False, env=env)


def install(tmp_path_factory, versions: str) -> tuple[Path, Path]:
    """A virtualenv with `pip install .` from a copy of the source: its bin folder and that copy.

    versions: "newest" (what pyproject's ranges admit today) or "lower-bounds" (every runtime
    dependency at its lower bound; tests/test_install_lower_bounds.py).
    """
    root = tmp_path_factory.mktemp(f"install-{versions}")
    source = source_tree(root / "source")
    venv.create(root / "venv", with_pip=True)
    python = root / "venv" / "bin" / "python"
    # --no-compile: the bytecode of thousands of client modules costs CPU and proves nothing here
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
    if versions == "lower-bounds":
        bounds = run([sys.executable, "tools/lower_bounds.py"], cwd=source)
        assert bounds.returncode == 0, bounds.stderr
        (root / "lower.txt").write_text(bounds.stdout, encoding="utf-8")
        command += ["-c", str(root / "lower.txt")]
    result = run([*command, str(source)], cwd=root, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    if versions == "lower-bounds":
        frozen = run([str(python), "-m", "pip", "list", "--format", "freeze"], cwd=root).stdout
        listed = dict(line.split("==", 1) for line in frozen.splitlines() if "==" in line)
        installed_versions = {_canonical(name): version for name, version in listed.items()}
        for pin in bounds.stdout.split():
            name, version = pin.split("==")
            assert _same_version(installed_versions.get(_canonical(name), "0"), version), (
                f"{pin} was not installed: {frozen}"
            )
    return root / "venv" / "bin", source


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    return install(tmp_path_factory, "newest")


def _canonical(name: str) -> str:
    """A distribution name as pip compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _same_version(installed: str, pinned: str) -> bool:
    padded = lambda v: tuple(int(p) for p in v.split(".")) + (0,) * (3 - len(v.split(".")))  # noqa: E731
    return padded(installed) == padded(pinned)


# Every command's --help, in one process of the installed package (each import a command needs
# happens as the CLI builds its parser; one process per command would only repeat them).
HELPS = """
import contextlib, io, sys
from pipeline.cli import main
for name in sys.argv[1:]:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            main([name, "--help"])
    except SystemExit as exit:
        if exit.code != 0 or "usage: pipeline " + name not in out.getvalue():
            sys.exit(f"pipeline {name} --help: exit {exit.code}")
    print("ok", name)
"""


def test_every_command_starts(installed, tmp_path):
    names = [cmd.__name__.rsplit(".", 1)[1].replace("_", "-") for cmd in COMMANDS]
    result = run([str(installed[0] / "python"), "-c", HELPS, *names], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [word for name in names for word in ("ok", name)]


def test_render_check_diff_status_and_docs_run(installed, tmp_path):
    bin_dir, source = installed
    pipeline = str(bin_dir / "pipeline")
    environments = ["--environments", str(source / "environments")]
    render = run([pipeline, "render", *environments, "--out", "out"], cwd=tmp_path)
    assert render.returncode == 0, render.stderr
    for stage, env in ((env.stage, env) for env in load_environments(ENVIRONMENTS)):
        expected = render_stage(env).files
        folder = tmp_path / "out" / stage
        written = {str(p.relative_to(folder)): p.read_text() for p in folder.rglob("*") if p.is_file()}
        assert written == expected, f"{stage} renders differently under this install"
    check = run([pipeline, "check", *environments, "--stage", "prod", "--format", "json"], cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert json.loads(check.stdout)["passed"] is True
    diff = run([pipeline, "diff", *environments, "out", "worktree"], cwd=tmp_path)
    assert diff.returncode == 0, diff.stderr
    assert diff.stdout.count("no changes") == 3, diff.stdout
    status = run([pipeline, "status", *environments, "--format", "json"], cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert [entry["stage"] for entry in json.loads(status.stdout)] == ["dev", "staging", "prod"]
    docs = run([pipeline, "docs", *environments, "--root", str(source), "--check"], cwd=tmp_path)
    assert docs.returncode == 0, docs.stdout + docs.stderr
