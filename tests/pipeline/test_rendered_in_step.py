"""rendered/ and the stage files move together, through the CLI in a throw-away git repository.

A hand edit of rendered/ fails `render --check`; every command that edits a stage file writes
its rendered stage with it (and `--branch` commits both); a command killed at any step of its
write leaves both as they were, or (past the commit point) both as changed; two commands at once
queue, and both land.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from tests.pipeline.gitrepo import GitRepo, build_repo
from tests.pipeline.kill_harness import run_harness
from tests.pipeline.test_promotion import edit_release, image, leftovers, reset

SCALE = ("scale", "cost-service", "--stage", "prod", "--replicas", "4")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitRepo:
    return build_repo(tmp_path_factory.mktemp("in-step") / "repo")


@pytest.fixture(scope="module")
def base(repo) -> str:
    return repo.head()


def changed_paths(repo: GitRepo) -> list[str]:
    return sorted(line[3:] for line in repo.status().splitlines())


def assert_in_step(repo: GitRepo, stage: str) -> None:
    """The stage file and its rendered folder both changed, and rendered/ is what the stage files give."""
    changed = changed_paths(repo)
    assert f"environments/{stage}.yaml" in changed, changed
    assert any(path.startswith(f"rendered/{stage}/") for path in changed), changed
    check = repo.run("render", "--check")
    assert check.code == 0, check.out + check.err
    assert leftovers(repo) == [] and not [p for p in (repo.path / "rendered").iterdir() if p.name.startswith(".")]


def test_a_hand_edit_of_rendered_fails_the_check_and_names_the_file(repo, base):
    reset(repo, base)
    target = "rendered/prod/agent-platform-prod/deployment-agent-service.yaml"
    repo.edit(
        target, "imagePullPolicy: IfNotPresent", "imagePullPolicy: Always", commit="hand edit of what Argo CD deploys"
    )
    result = repo.run("render", "--check")
    assert result.code == 1
    assert "stale: rendered/prod/agent-platform-prod/deployment-agent-service.yaml (changed)" in result.out
    assert "run `pipeline render`" in result.err


@pytest.mark.parametrize(
    "argv",
    [
        ("set-image", "agent-service", image("agent-service", "1.6.0"), "--stage", "dev"),
        SCALE,
        ("stop", "task-service", "--stage", "staging"),
        ("tenant", "add", "umbrella", "--plan", "small", "--stage", "dev"),
        ("tenant", "remove", "acme", "--stage", "prod", "--yes"),
    ],
    ids=["set-image", "scale", "stop", "tenant-add", "tenant-remove"],
)
def test_every_editing_command_writes_the_stage_file_and_its_rendered_stage(repo, base, argv):
    reset(repo, base)
    result = repo.run(*argv)
    assert result.code == 0, result.out + result.err
    stage = argv[argv.index("--stage") + 1]
    assert f"wrote environments/{stage}.yaml and rendered/{stage}/ (" in result.out
    assert_in_step(repo, stage)


def test_start_and_rollback_write_both(repo, base):
    reset(repo, base)
    assert repo.run("stop", "task-service", "--stage", "prod").code == 0
    repo.commit("stop task-service")
    result = repo.run("start", "task-service", "--stage", "prod")
    assert result.code == 0, result.err
    assert_in_step(repo, "prod")
    reset(repo, base)
    edit_release(repo, "dev", lambda release: release.__setitem__("version", "2026.12.9"))
    assert repo.run("render", "--stage", "dev").code == 0
    repo.commit("dev: 2026.12.9")
    result = repo.run("rollback", "--stage", "dev")
    assert result.code == 0, result.out + result.err
    assert_in_step(repo, "dev")


def test_promote_write_and_branch_carry_both(repo, base):
    reset(repo, base)
    result = repo.run("promote", "staging", "prod", "--write")
    assert result.code == 0, result.err
    assert_in_step(repo, "prod")
    reset(repo, base)
    result = repo.run("promote", "staging", "prod", "--branch")
    assert result.code == 0, result.err
    assert repo.status() == "", "--branch leaves the checkout alone"
    branch = repo.git("for-each-ref", "--format=%(refname:short)", "refs/heads/promote/").split()[0]
    files = repo.git("diff", "--name-only", base, branch).split()
    assert "environments/prod.yaml" in files and any(name.startswith("rendered/prod/") for name in files)
    repo.git("checkout", "-q", branch)
    check = repo.run("render", "--check")
    assert check.code == 0, check.out
    reset(repo, base)


@pytest.mark.slow
def test_a_command_killed_at_any_step_of_its_write_leaves_both_consistent(repo, base, tmp_path):
    """SIGKILL just before each file-system call of the write (and of the recovery that follows)."""
    reset(repo, base)
    before = repo.read("environments/prod.yaml")

    def harness(points: list) -> list[dict]:
        return run_harness(repo.path, repo.tmp, tmp_path / "calls.json", "prod", SCALE, points)

    (counting,) = harness([0])
    calls = counting["calls"]
    after = counting["stage_file"]
    assert counting["command"] == "exit:0" and after != before
    # The commit point: the journal's removal, the first unlink after the last swap.
    last_swap = max(i for i, name in enumerate(calls) if name in ("replace", "rename"))
    commit_point = calls.index("unlink", last_swap) + 1  # 1-based, as the harness counts
    group_starts = [i + 1 for i in range(len(calls)) if i == 0 or calls[i] != calls[i - 1]]
    # Every step from the last file staged to two steps past the commit point, and a few before and after.
    window = [p for p in group_starts if calls.index("sync") <= p <= commit_point] + [
        commit_point + 1,
        commit_point + 2,
    ]
    points = sorted({1, 2, len(calls) // 4, *window, len(calls)})
    gap = calls.index("rename", last_swap - 2) + 2  # the rendered folder moved out, the new one not yet in
    records = harness([*points, *[[gap, q] for q in (1, 2, 5)]])
    assert len(records) == len(points) + 3
    for record in records:
        point = record["point"] if isinstance(record["point"], int) else record["point"][0]
        where = f"killed before call {point} ({calls[point - 1]}) of {len(calls)}: {record}"
        assert record["command"] == "killed:9", where
        assert record["check"] == "exit:0", where
        assert record["leftovers"] == [], where
        assert record["stage_file"] == (before if point <= commit_point else after), where
    assert any(r.get("recovery") == "killed:9" for r in records), "some recovery must have been killed too"
    reset(repo, base)


def test_two_edits_at_once_queue_and_both_land(repo, base):
    """Each editing command holds the stage file's lock from its read to its write: the second waits, then
    edits what the first wrote. Many rounds, two edits of one stage file each: no change is ever lost."""
    reset(repo, base)
    env = {**os.environ, "PYTHONPATH": str(repo.path), "TMPDIR": str(repo.tmp)}
    for cost, agent in ((4, 5), (5, 4), (4, 5)):  # within prod's quota, each round a change
        commands = {
            "cost-service": ("scale", "cost-service", "--stage", "prod", "--replicas", str(cost)),
            "agent-service": ("scale", "agent-service", "--stage", "prod", "--replicas", str(agent)),
        }
        running = [
            subprocess.Popen(
                [sys.executable, "-m", "pipeline.cli", *argv],
                cwd=repo.path,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for argv in commands.values()
        ]
        outcomes = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in running]
        assert [code for code, _, _ in outcomes] == [0, 0], outcomes
        services = yaml.safe_load(repo.read("environments/prod.yaml"))["services"]
        assert services["cost-service"]["replicas"] == cost, outcomes
        assert services["agent-service"]["replicas"] == agent, outcomes
        assert_in_step(repo, "prod")
    reset(repo, base)
