"""`make` refuses an unsupported Python before installing anything; a failed install never poisons the next run.

Run in a copy holding only what the install reads (Makefile, scripts/check-python, pyproject.toml,
README.md) with an empty lock file, so an install is an editable install of the package alone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPOSITORY

pytestmark = pytest.mark.slow


@pytest.fixture
def checkout(tmp_path) -> Path:
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    for name in ("Makefile", "pyproject.toml", "README.md", "scripts/check-python"):
        shutil.copy2(REPOSITORY / name, root / name)
    (root / "requirements.lock").write_text("# nothing to pin for this test\n")
    return root


def make(checkout: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "MAKE"))}
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=checkout, capture_output=True, text=True, env=env, timeout=600
    )


def test_an_unsupported_python_is_refused_before_anything_is_installed(checkout, tmp_path):
    old = tmp_path / "python3.9"  # an interpreter that reports 3.9 to scripts/check-python
    old.write_text(f'#!/bin/sh\nexec {sys.executable} "$@" 3.9.18\n')
    old.chmod(0o755)
    result = make(checkout, "run", f"PYTHON={old}")
    assert result.returncode != 0
    assert "Python 3.9.18 is not supported: this project needs Python >=3.11,<3.13" in result.stderr
    assert "hint: run make with a supported interpreter" in result.stderr
    assert not (checkout / ".venv").exists()  # refused before the virtualenv was made
    assert "installing" not in result.stdout


def test_a_virtualenv_left_by_a_failed_install_is_made_anew(checkout):
    broken = checkout / ".venv"
    (broken / "bin").mkdir(parents=True)
    (broken / "bin" / "python").symlink_to(sys.executable)
    (broken / "left-by-a-killed-install").write_text("")  # no .installed stamp: the install never finished
    result = make(checkout, ".venv/.installed", f"PYTHON={sys.executable}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ".venv is incomplete or of an unsupported Python: making it anew" in result.stdout
    assert not (broken / "left-by-a-killed-install").exists()
    assert (broken / ".installed").is_file() and (broken / "bin" / "pipeline").is_file()
    again = make(checkout, ".venv/.installed", f"PYTHON={sys.executable}")
    assert again.returncode == 0 and "making it anew" not in again.stdout  # a finished install is kept
