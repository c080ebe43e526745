"""scripts/e2e-kind is opt-in: where Docker, an engine, kind or kubectl is missing it says why and
exits 3 (skipped), never pretending to have run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPOSITORY

SCRIPT = REPOSITORY / "scripts" / "e2e-kind"


def run(path: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/bash", str(SCRIPT)],
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def tools(tmp_path: Path, **scripts: str) -> str:
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, body in scripts.items():
        (folder / name).write_text(f"#!/bin/sh\n{body}\n")
        (folder / name).chmod(0o755)
    for needed in ("head", "base64", "tr", "mktemp", "rm", "cat"):
        if shutil.which(needed):
            (folder / needed).symlink_to(shutil.which(needed))
    return str(folder)


def test_without_docker_it_is_skipped_with_the_reason(tmp_path):
    result = run(tools(tmp_path))
    assert result.returncode == 3
    assert (
        result.stdout.strip() == "e2e-kind: skipped: docker is not installed (kind runs its nodes as Docker containers)"
    )


def test_without_a_docker_engine_it_is_skipped_with_the_reason(tmp_path):
    result = run(tools(tmp_path, docker="exit 1"))  # a client whose `docker info` cannot reach a daemon
    assert result.returncode == 3
    assert "no Docker engine is running" in result.stdout


def test_without_kind_it_is_skipped_with_the_reason(tmp_path):
    result = run(tools(tmp_path, docker="exit 0"))
    assert result.returncode == 3
    assert "kind is not installed" in result.stdout


def test_on_this_machine_it_skips_for_a_reason_it_names():
    if shutil.which("docker") and subprocess.run(["docker", "info"], capture_output=True).returncode == 0:
        pytest.skip("a Docker engine runs here: the real end-to-end run is scripts/e2e-kind itself")
    result = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 3
    assert result.stdout.startswith("e2e-kind: skipped: ")


def test_the_workflow_runs_it_on_runners_with_docker():
    text = (REPOSITORY / ".github" / "workflows" / "e2e.yml").read_text()
    assert "runs-on: ubuntu-latest" in text and "helm/kind-action" in text and "run: scripts/e2e-kind" in text
