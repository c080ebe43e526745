"""The code keeps the project's lint and format rules (pyproject.toml [tool.ruff])."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPOSITORY


def ruff(*args: str) -> subprocess.CompletedProcess:
    executable = shutil.which("ruff", path=str(REPOSITORY / ".venv" / "bin")) or shutil.which("ruff")
    command = [executable, *args] if executable else [sys.executable, "-m", "ruff", *args]
    return subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True, check=False, timeout=120)


def test_ruff_finds_nothing():
    pytest.importorskip("ruff", reason="ruff is a dev dependency: `make test` installs it")
    result = ruff("check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted():
    pytest.importorskip("ruff", reason="ruff is a dev dependency: `make test` installs it")
    result = ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr
