"""Shared fixtures: the repository's own stage files, loaded and rendered once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from model.environment import Environment
from model.loader import load_environments
from pipeline.render import RenderedStage, render_stage

REPOSITORY = Path(__file__).resolve().parent.parent
ENVIRONMENTS = REPOSITORY / "environments"
STAGES = ("dev", "staging", "prod")


@pytest.fixture(scope="session")
def environments() -> dict[str, Environment]:
    """The repository's stages, by name."""
    return {env.stage: env for env in load_environments(ENVIRONMENTS)}


@pytest.fixture(scope="session")
def rendered(environments) -> dict[str, RenderedStage]:
    """A fresh render of every stage, by name."""
    return {stage: render_stage(env) for stage, env in environments.items()}


@pytest.fixture
def environments_copy(tmp_path) -> Path:
    """A writable copy of environments/ (the schema symlink resolved) for tests that edit stage files."""
    target = tmp_path / "environments"
    shutil.copytree(ENVIRONMENTS, target, symlinks=False)
    return target


def find(manifests, kind: str, name: str, namespace: str | None = None) -> dict:
    """The one manifest of kind/name (in namespace, when given); fails the test if absent."""
    matches = [
        m
        for m in manifests
        if m["kind"] == kind
        and m["metadata"]["name"] == name
        and (namespace is None or m["metadata"].get("namespace") == namespace)
    ]
    assert len(matches) == 1, f"expected one {kind} {namespace or '*'}/{name}, found {len(matches)}"
    return matches[0]


def key_paths(node, prefix: tuple = ()):
    """Every key path in plain data, the root's () first: where a mutation test may change something."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from key_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from key_paths(value, (*prefix, index))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files holding a slow test first, each file's tests kept together and in order.

    Under `make test` (pytest-xdist, work stealing) the longest files then start first, instead of
    one of them keeping a worker busy at the end while the others idle.
    """
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)  # stable: the order within a file is kept
