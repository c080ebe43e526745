"""A rollback is a gate case: `pipeline rollback` and `pipeline gate` decide it with one function.

In a throw-away repository: prod is promoted on main; a pull request rolls it back with the
pipeline's own command, and the gate against main accepts it as a rollback. A release prod never
ran (taken from a branch that was never merged) is a hotfix for both: the command refuses it and
the gate refuses the same change committed by hand.
"""

from __future__ import annotations

import json

import pytest

from tests.pipeline.gitrepo import GitRepo, build_repo
from tests.pipeline.test_promotion import PROD_RELEASE, STAGING_RELEASE, edit_release, image, release_of, reset


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitRepo:
    return build_repo(tmp_path_factory.mktemp("rollback-gate") / "repo")


@pytest.fixture(scope="module")
def promoted(repo) -> dict:
    """main: the base commit, then prod promoted to staging's release."""
    base = repo.head()
    promote = repo.run("promote", "staging", "prod", "--write")
    assert promote.code == 0, promote.out + promote.err
    return {"base": base, "main": repo.commit(f"Promote release {STAGING_RELEASE} from staging to prod")}


@pytest.fixture(scope="module")
def rolled_back(repo, promoted) -> dict:
    """A pull request made by `pipeline rollback --stage prod`, committed, and the gate against main."""
    reset(repo, promoted["main"])
    repo.git("checkout", "-q", "-b", "pr/rollback-prod")
    facts = {"rollback": repo.run("rollback", "--stage", "prod")}
    facts["head"] = repo.commit("Roll prod back")
    facts["gate"] = repo.run("gate", "--base", promoted["main"])
    facts["json"] = repo.run("gate", "--base", promoted["main"], "--format", "json")
    facts["render_check"] = repo.run("render", "--check")
    return facts


def test_the_rollback_command_says_rollback_and_the_release_it_restores(rolled_back, promoted):
    result = rolled_back["rollback"]
    assert result.code == 0, result.out + result.err
    base = promoted["base"][:12]
    assert (
        f"gate: PASS: rollback of prod to prod@{base}: release {PROD_RELEASE} into prod "
        f"(rollback: back to release {PROD_RELEASE}, which prod ran at {base})"
    ) in result.out


def test_a_committed_rollback_passes_the_gate_as_a_rollback(rolled_back, promoted, repo):
    gate = rolled_back["gate"]
    assert gate.code == 0, gate.out + gate.err
    assert gate.out.splitlines() == [
        "PASS dev: unchanged",
        "PASS staging: unchanged",
        f"PASS prod: rollback (release {STAGING_RELEASE} -> {PROD_RELEASE}; back to release {PROD_RELEASE}, "
        f"which prod ran at {promoted['base'][:12]})",
    ]
    prod = json.loads(rolled_back["json"].out)["stages"][2]
    assert (prod["kind"], prod["passed"]) == ("rollback", True)
    assert release_of(repo, "prod", rolled_back["head"]) == release_of(repo, "prod", promoted["base"])
    assert rolled_back["render_check"].code == 0, rolled_back["render_check"].out


def test_a_rollback_mixed_with_a_stage_owned_change_is_refused(repo, promoted):
    reset(repo, promoted["main"])
    repo.git("checkout", "-q", "-b", "pr/rollback-and-resize")
    assert repo.run("rollback", "--stage", "prod").code == 0
    repo.edit(
        "environments/prod.yaml",
        "    autoscaling: {min_replicas: 2, max_replicas: 4}\n",
        "    autoscaling: {min_replicas: 3, max_replicas: 4}\n",
    )
    repo.commit("Roll prod back and resize monitoring-service")
    gate = repo.run("gate", "--base", promoted["main"])
    assert gate.code == 1
    assert f"FAIL prod: rollback (release {STAGING_RELEASE} -> {PROD_RELEASE}" in gate.out
    assert "mixes a release change with stage-owned changes (services.monitoring-service" in gate.out


@pytest.fixture(scope="module")
def never_ran(repo, promoted) -> dict:
    """A prod release on a branch never merged; `rollback --to` it on main, and the same edit committed by hand."""
    reset(repo, promoted["main"])
    repo.git("checkout", "-q", "-b", "side/never-merged")
    edit_release(
        repo,
        "prod",
        lambda r: r["images"].__setitem__("agent-service", image("agent-service", "1.5.0-hotfix")),
        commit="prod: an agent-service build nobody promoted",
    )
    side = repo.head()
    hotfix = release_of(repo, "prod")
    repo.git("checkout", "-q", "main")
    facts = {
        "rollback": repo.run("rollback", "--stage", "prod", "--to", side),
        "before": repo.read("environments/prod.yaml"),
    }
    repo.git("checkout", "-q", "-b", "pr/by-hand")
    edit_release(repo, "prod", lambda r: r["images"].update(hotfix["images"]), commit="prod: the side build")
    facts["gate"] = repo.run("gate", "--base", promoted["main"])
    return facts


def test_rollback_refuses_a_release_the_stage_never_ran_as_a_hotfix(never_ran, repo, promoted):
    result = never_ran["rollback"]
    assert result.code == 1
    assert "gate: FAIL: rollback of prod to prod@" in result.out
    assert "nor one prod ran before: that is a hotfix, refused without an approval" in result.out
    assert repo.git("show", f"{promoted['main']}:environments/prod.yaml") == never_ran["before"]


def test_the_gate_refuses_the_same_change_the_same_way(never_ran):
    gate = never_ran["gate"]
    assert gate.code == 1
    assert f"FAIL prod: hotfix (release {STAGING_RELEASE} -> {STAGING_RELEASE})" in gate.out
    assert "nor one prod ran before: that is a hotfix, refused without an approval" in gate.out
