"""pipeline changed-stages: a stage file (or its rendered/ folder) deploys its stage, shared inputs every stage."""

from __future__ import annotations

import subprocess

import pytest

from pipeline.changes import NO_COMMIT, stages_touched
from pipeline.cli import main
from tests.conftest import ENVIRONMENTS, STAGES


@pytest.mark.parametrize(
    "files, stages",
    [
        (["environments/prod.yaml"], ["prod"]),
        (["environments/dev.yaml", "environments/staging.yaml"], ["dev", "staging"]),
        (["stacks/Pulumi.staging.yaml"], ["staging"]),
        (["environments/defaults.yaml"], list(STAGES)),
        (["environments/stages.yaml"], list(STAGES)),
        (["components/agent_service.py"], list(STAGES)),
        (["policies/rules/backup_rpo.py"], list(STAGES)),
        (["stacks/platform.py"], list(STAGES)),
        (["requirements.lock"], list(STAGES)),
        (["pipeline/diff/engine.py", "README.md", "tests/conftest.py"], []),
        # what Argo CD or Flux deploy: a hand edit of a stage's folder is a change of that stage
        (["rendered/prod/agent-platform-prod/deployment-agent-service.yaml"], ["prod"]),
        (["rendered/dev/kustomization.yaml", "rendered/staging/x.yaml"], ["dev", "staging"]),
        (["rendered/stray.yaml"], list(STAGES)),
        (["rendered/production/x.yaml"], list(STAGES)),  # not a stage's folder: deployed by nobody knows what
        ([], []),
    ],
)
def test_stages_touched(files, stages):
    assert stages_touched(files, STAGES, "environments", "rendered") == stages


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    import shutil

    target = tmp_path / "repo"
    shutil.copytree(ENVIRONMENTS, target / "environments", symlinks=False)
    git(target.parent, "init", "-q", str(target))
    git(target, "config", "user.email", "t@example.com")
    git(target, "config", "user.name", "t")
    git(target, "add", "-A")
    git(target, "commit", "-qm", "base")
    return target


def test_cli_lists_the_stages_of_a_commit_in_github_format(repo, capsys):
    base = git(repo, "rev-parse", "HEAD")
    prod = repo / "environments" / "prod.yaml"
    prod.write_text(prod.read_text().replace("retention: 96", "retention: 48"))
    git(repo, "commit", "-qam", "prod only")
    assert (
        main(["changed-stages", "--environments", str(repo / "environments"), "--base", base, "--format", "github"])
        == 0
    )
    assert capsys.readouterr().out.splitlines() == ["dev=false", "staging=false", "prod=true"]


def test_a_hand_edit_of_rendered_is_a_change_of_its_stage(repo, capsys):
    """rendered/ beside environments/: the CLI finds it whatever folder it runs from."""
    base = git(repo, "rev-parse", "HEAD")
    edited = repo / "rendered" / "staging" / "agent-platform-staging" / "deployment.yaml"
    edited.parent.mkdir(parents=True)
    edited.write_text("kind: Deployment\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "by hand")
    assert main(["changed-stages", "--environments", str(repo / "environments"), "--base", base]) == 0
    assert capsys.readouterr().out.splitlines() == ["staging"]


def test_an_unknown_base_deploys_everything(repo, capsys):
    assert (
        main(["changed-stages", "--environments", str(repo / "environments"), "--base", NO_COMMIT, "--format", "json"])
        == 0
    )
    assert capsys.readouterr().out.strip() == '["dev", "staging", "prod"]'


def test_a_base_that_cannot_be_compared_is_bad_input(repo, capsys):
    assert main(["changed-stages", "--environments", str(repo / "environments"), "--base", "no-such-rev"]) == 2
    assert "fetch enough history" in capsys.readouterr().err
