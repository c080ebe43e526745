"""pipeline pull-request-plan: bad labels and bases are input errors; a broken head does not stop the plan."""

from __future__ import annotations

import pytest

from tests.pipeline.gitrepo import GitRepo, build_repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitRepo:
    return build_repo(tmp_path_factory.mktemp("plan") / "repo")


@pytest.mark.parametrize(
    "labels, said",
    [("{oops", "--labels: not JSON"), ('{"hotfix": 1}', "expected a JSON list of label names"), ("[1]", "a JSON list")],
)
def test_labels_that_are_not_a_list_of_names_exit_2(repo, labels, said):
    result = repo.run("pull-request-plan", "--base", "main", "--labels", labels)
    assert result.code == 2 and said in result.err


def test_an_unknown_base_exits_2(repo):
    result = repo.run("pull-request-plan", "--base", "origin/nowhere")
    assert result.code == 2 and "unknown git revision 'origin/nowhere'" in result.err


def test_a_stage_file_that_does_not_parse_leaves_the_plan_standing(repo):
    repo.git("checkout", "-q", "-b", "pr/broken")
    repo.write("environments/prod.yaml", "release: [unclosed\n", commit="broken prod")
    result = repo.run("pull-request-plan", "--base", "main", "--labels", '["hotfix"]')
    assert result.code == 0, result.err
    outputs = dict(line.split("=", 1) for line in result.out.splitlines())
    assert outputs["stages"] == '["dev", "staging", "prod"]' and outputs["approval_stages"] == "[]"
    assert "::warning::gate:" in result.err and "prod.yaml" in result.err  # the gate job reports it in full
