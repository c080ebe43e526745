"""SIGKILL at points spread over the write of render and of every editing command.

After each kill the next command (`render --check`) runs as a user's would: the stage file and
its rendered folder are both old or both new, never a mix, and no leftover remains. The harness
(tests/pipeline/kill_harness.py) forks each command and kills it just before its n-th
file-system call inside the transaction.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipeline.gitrepo import GitRepo, build_repo
from tests.pipeline.kill_harness import run_harness, tree_digest
from tests.pipeline.test_promotion import image, reset

COMMANDS = {
    "render": ("prod", ("render", "--stage", "prod")),
    "set-image": ("dev", ("set-image", "agent-service", image("agent-service", "1.6.0"), "--stage", "dev")),
    "stop": ("staging", ("stop", "task-service", "--stage", "staging")),
    "tenant-add": ("dev", ("tenant", "add", "umbrella", "--plan", "small", "--stage", "dev")),
    "promote-write": ("prod", ("promote", "staging", "prod", "--write")),
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitRepo:
    repo = build_repo(tmp_path_factory.mktemp("kills") / "repo")
    # render has something to write: prod's stage file differs from its committed rendered folder.
    repo.edit("environments/prod.yaml", "min_replicas: 5", "min_replicas: 6", commit="prod: task-service 6..20")
    return repo


def harness(repo: GitRepo, tmp_path: Path, stage: str, argv: tuple[str, ...], points: list) -> list[dict]:
    return run_harness(repo.path, repo.tmp, tmp_path / "calls.json", stage, argv, points)


@pytest.mark.slow
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_kill_at_any_point_leaves_old_or_new_and_no_leftovers(repo, tmp_path, command):
    stage, argv = COMMANDS[command]
    reset(repo, repo.head())
    old = (repo.read(f"environments/{stage}.yaml"), tree_digest(repo.path / "rendered" / stage))
    old_check = f"exit:{repo.run('render', '--check', '--stage', stage).code}"  # 1 for render: stale before
    (counting,) = harness(repo, tmp_path, stage, argv, [0])
    assert counting["command"] == "exit:0", counting
    new = (counting["stage_file"], counting["rendered"])
    assert old != new and counting["check"] == "exit:0"
    calls = counting["calls"]
    # The middle and the last call (tests/pipeline/test_rendered_in_step.py kills scale at every step).
    points = sorted({len(calls) // 2, len(calls)})
    for record in harness(repo, tmp_path, stage, argv, points):
        where = f"{command} killed before call {record['point']} of {len(calls)}"
        assert record["command"] == "killed:9", where
        assert (record["stage_file"], record["rendered"]) in (old, new), where
        assert record["leftovers"] == [], where
        expected_check = "exit:0" if (record["stage_file"], record["rendered"]) == new else old_check
        assert record["check"] == expected_check, where
