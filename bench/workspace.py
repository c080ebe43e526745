"""The benchmark's workspace: a git repository holding a copy of this repository's code and a fleet."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import fleet

REPOSITORY = Path(__file__).resolve().parent.parent
# What the pipeline needs to render, check, diff and preview (the stage files are the fleet's).
CODE = ("model", "kube", "components", "stacks", "pipeline", "policies", "bench", "pyproject.toml")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.egg-info", "results")
PIPELINE = Path(sys.executable).parent / "pipeline"
GIT = ("git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false")


# --- the workspace: a git repository with the fleet --------------------------------------------


@dataclass
class Workspace:
    root: Path
    repo: Path
    out: Path
    env: dict[str, str]  # child environment: the copied code first on the import path

    @property
    def environments(self) -> Path:
        return self.repo / "environments"

    def pipeline(self, *args: str) -> list[str]:
        return [str(PIPELINE), *args]

    def helper(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "bench.run", "--helper", *args]


def git(repo: Path, *args: str) -> None:
    subprocess.run([*GIT, "-C", str(repo), *args], check=True, capture_output=True, text=True)


def build_workspace(root: Path, services: int, seed: int) -> tuple[Workspace, dict[str, str]]:
    """A git repository: the code and a fleet of `services`, committed as `base`; the change in the working tree."""
    repo = root / "repo"
    repo.mkdir(parents=True)
    for name in CODE:
        source = REPOSITORY / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=IGNORED)
        else:
            shutil.copyfile(source, repo / name)
    (repo / ".gitignore").write_text("__pycache__/\n*.pyc\n", encoding="utf-8")
    fleet.generate(services, repo / "environments", seed)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"fleet of {services} tenant services")
    git(repo, "tag", "base")
    applied = fleet.change(repo / "environments", seed)
    env = {**os.environ, "PYTHONPATH": str(repo), "TMPDIR": str(root)}
    env.pop("PIPELINE_DEBUG", None)
    return Workspace(root, repo, root / "out", env), applied


def resource_files(stage_dir: Path) -> list[Path]:
    """The rendered files of a stage (its kustomization.yaml aside), in a stable order."""
    return sorted(p for p in stage_dir.rglob("*.yaml") if p.name != "kustomization.yaml")
