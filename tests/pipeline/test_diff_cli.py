"""pipeline diff OLD NEW through its entry point, in a temporary git repository.

OLD and NEW are git revisions (rendered with their own code in a temporary worktree), the
working tree, or folders written by `pipeline render --out`. (Plain YAML files and folders:
tests/pipeline/diff/test_foreign.py.)
"""

from __future__ import annotations

import json
import re

import pytest

from kube.tenancy import tenant_namespaces
from tests.conftest import STAGES
from tests.pipeline.gitrepo import GitRepo, Result, build_repo

NS = "agent-platform-prod"
PROD_IMAGE = "agent-service:1.4.2@sha256:707a54d1a09fa674fc62653f968b4ce4a2bd12853296eb31d4017e40904ab8be"
DEV_IMAGE = "agent-service:1.5.0@sha256:817bd2cd508817e15c431ae9e118ef623613a5966ce0cc1cd6c4724545990dfe"
IMAGE_LINE = (
    f"Deployment {NS}/agent-service  spec.template.spec.containers[agent].image  "
    "1.4.2@sha256:707a54d1a09f -> 1.5.0@sha256:817bd2cd5088"
)
# What bumping agent-service's image in prod touches: the Deployment rolls, and every object
# of the service carries the new app.kubernetes.io/version label.
BUMPED_IN_PROD = [
    ("update", f"ConfigMap {NS}/agent-service-config"),
    ("update", f"Service {NS}/agent-service"),
    ("update", f"ServiceAccount {NS}/agent-service"),
    ("restart", f"Deployment {NS}/agent-service"),
    ("update", f"HorizontalPodAutoscaler {NS}/agent-service"),
    ("update", f"VerticalPodAutoscaler {NS}/agent-service"),
    ("update", f"ServiceMonitor {NS}/agent-service"),
    ("update", f"NetworkPolicy {NS}/agent-service"),
    ("update", f"PodDisruptionBudget {NS}/agent-service"),
]
BUMP_HEADER = re.compile(r"== prod: (\d+) update, (\d+) restart, (\d+) unchanged")


@pytest.fixture(scope="module")
def unchanged(rendered) -> dict[str, int]:
    """Resources per stage: what a diff of two renders of the same stage files counts as unchanged."""
    return {stage: len(rendered[stage].manifests) for stage in STAGES}


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitRepo:
    return build_repo(tmp_path_factory.mktemp("diff-cli") / "repo")


@pytest.fixture(scope="module")
def main_commit(repo) -> str:
    return repo.head()


@pytest.fixture(autouse=True)
def clean_checkout(repo, main_commit):
    """Every test starts from and leaves a clean checkout of main."""
    repo.git("checkout", "-q", "-f", "main")
    repo.restore(main_commit)
    yield
    repo.git("checkout", "-q", "-f", "main")
    repo.restore(main_commit)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """Where rendered folders and reports go: outside the repository."""
    return tmp_path_factory.mktemp("diff-out")


@pytest.fixture(scope="module")
def base_dir(repo, main_commit, out):
    """`pipeline render --out` of main."""
    result = repo.run("render", "--out", str(out / "base"))
    assert result.code == 0, result.err
    return out / "base"


@pytest.fixture(scope="module")
def bump(repo, main_commit, out):
    """A branch `image-bump` on which prod runs dev's agent-service image, and its render."""
    repo.git("checkout", "-q", "-b", "image-bump", "main")
    repo.edit("environments/prod.yaml", PROD_IMAGE, DEV_IMAGE)
    commit = repo.commit("prod: agent-service 1.5.0")
    result = repo.run("render", "--out", str(out / "bump"))
    assert result.code == 0, result.err
    repo.git("checkout", "-q", "main")
    return commit, out / "bump"


def changes(report: dict, stage: str, tenant: str | None = None) -> list[tuple[str, str]]:
    """A stage's changes, of the shared platform (tenant None) or of one dedicated tenant."""
    entry = next(s for s in report["stages"] if s["stage"] == stage)
    return [(c["rollout"], c["resource"]) for c in entry["changes"] if c["tenant"] == tenant]


def shared_rows(lines: list[str]) -> list[tuple[str, str]]:
    """The resource lines of a one-stage text diff that are the shared platform's (listed first)."""
    rows = []
    for line in lines[3:]:
        if line.startswith("  -- ") and not line.startswith("  -- shared platform"):
            break  # the first tenant's group
        if line.startswith("  ") and not line.startswith(("      ", "  -- ")):
            label, title = line.split(None, 1)
            rows.append((label, title))
    return rows


def assert_bump_header(line: str, unchanged: dict[str, int]) -> None:
    """== prod: N update, M restart, K unchanged: the shared platform's 9 changes and the tenants' own."""
    match = BUMP_HEADER.fullmatch(line)
    assert match, line
    updated, restarted, kept = map(int, match.groups())
    assert updated >= 8 and restarted >= 1 and updated + restarted + kept == unchanged["prod"]


def assert_no_scratch_left(repo: GitRepo, result: Result, renders: int) -> None:
    """Each revision rendered in its own scratch folder, gone afterwards with its worktree."""
    assert len(result.scratch) == renders
    assert not any(folder.exists() for folder in result.scratch)
    assert repo.scratch_folders() == set()
    assert repo.worktrees() == [str(repo.path)]


def assert_untouched(repo: GitRepo, main_commit: str, result: Result, renders: int) -> None:
    assert_no_scratch_left(repo, result, renders)
    assert repo.status() == ""
    assert (repo.head(), repo.branch()) == (main_commit, "main")


# revisions and the working tree ------------------------------------------------------------------


def test_diff_of_a_revision_and_the_working_tree_as_text(repo, main_commit, unchanged):
    repo.edit("environments/prod.yaml", PROD_IMAGE, DEV_IMAGE)
    status = repo.status()
    result = repo.run("diff", "main", "worktree", "--stage", "prod")
    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0] == f"main ({main_commit[:12]}) -> working tree"
    assert_bump_header(lines[2], unchanged)
    assert shared_rows(lines) == BUMPED_IN_PROD
    assert f"      {IMAGE_LINE}" in lines
    assert "BLOCKED" not in result.out and "OK:" not in result.out  # diff judges nothing
    assert repo.status() == status
    assert_no_scratch_left(repo, result, renders=1)


def test_new_defaults_to_the_working_tree(repo, main_commit, unchanged):
    result = repo.run("diff", main_commit, "--stage", "dev")
    assert result.code == 0, result.err
    assert result.out.splitlines()[2] == f"== dev: no changes, {unchanged['dev']} unchanged"


def test_reordered_env_vars_and_1000m_written_as_1_are_no_change(repo, main_commit, base_dir, out, unchanged):
    defaults = repo.read("environments/defaults.yaml")
    openai = "      OPENAI_API_KEY: {secret: llm-api-keys, key: openai-api-key}\n"
    redis = "      REDIS_PASSWORD: {secret: redis-credentials, key: password}\n"
    block = openai + "      ANTHROPIC_API_KEY: {secret: llm-api-keys, key: anthropic-api-key}\n" + redis
    assert block in defaults
    repo.write("environments/defaults.yaml", defaults.replace(block, redis + block.replace(redis, "")))
    repo.edit("environments/prod.yaml", "limits: {cpu: 1000m, memory: 2Gi}", 'limits: {cpu: "1", memory: 2048Mi}')
    assert repo.status() == " M environments/defaults.yaml\n M environments/prod.yaml\n"
    # The render keeps the quantities as written, so the manifests do differ in form.
    assert repo.run("render", "--out", str(out / "one-cpu"), "--stage", "prod").code == 0
    deployment = f"prod/{NS}/deployment-agent-service.yaml"
    written = (out / "one-cpu" / deployment).read_text()
    assert written != (base_dir / deployment).read_text()
    assert "cpu: 1000m" in (base_dir / deployment).read_text() and "cpu: 1000m" not in written
    result = repo.run("diff", "main", "worktree", "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert [(s["stage"], s["changes"], s["unchanged"]) for s in report["stages"]] == [
        (stage, [], unchanged[stage]) for stage in STAGES
    ]


def test_env_vars_rendered_in_another_order_are_no_change(repo, base_dir, out, unchanged):
    # The render sorts what the stage files list, so reorder in the code: the env list reversed.
    repo.edit(
        "components/agent_service.py",
        '            env.append({"name": variable, "value": _env_literal(value)})\n        return env',
        '            env.append({"name": variable, "value": _env_literal(value)})\n        return env[::-1]',
    )
    result = repo.run_subprocess("render", "--out", str(out / "reversed-env"), "--stage", "prod")
    assert result.code == 0, result.err
    deployment = f"{NS}/deployment-agent-service.yaml"
    assert (out / "reversed-env" / "prod" / deployment).read_text() != (base_dir / "prod" / deployment).read_text()
    result = repo.run("diff", str(base_dir / "prod"), str(out / "reversed-env" / "prod"), "--format", "json")
    assert result.code == 0, result.err
    assert [(s["stage"], s["changes"], s["unchanged"]) for s in json.loads(result.out)["stages"]] == [
        ("prod", [], unchanged["prod"])
    ]


def test_diff_of_two_revisions_as_json(repo, main_commit, bump, rendered):
    commit, _ = bump
    result = repo.run("diff", "main", "image-bump", "--format", "json")
    assert (result.code, result.err) == (0, "")
    report = json.loads(result.out)
    assert (report["base"], report["head"]) == (f"main ({main_commit[:12]})", f"image-bump ({commit[:12]})")
    assert {s["stage"]: s["release"] for s in report["stages"]} == {
        "dev": "2026.11.5",
        "staging": "2026.11.5",
        "prod": "2026.11.4",
    }
    assert report["stages"][0]["changes"] == report["stages"][1]["changes"] == []
    assert changes(report, "prod") == [(rollout, title) for rollout, title in BUMPED_IN_PROD]
    owners = tenant_namespaces(rendered["prod"].manifests)  # the tenants' own agent-service instances
    assert all(owners[c["namespace"]] == c["tenant"] for c in report["stages"][2]["changes"] if c["tenant"])
    deployment = [c for c in report["stages"][2]["changes"] if c["tenant"] is None][3]
    assert deployment["reasons"] == ["the pod template changed"]
    assert {
        "path": "spec.template.spec.containers[agent].image",
        "old": "1.4.2@sha256:707a54d1a09f",
        "new": "1.5.0@sha256:817bd2cd5088",
    } in deployment["changes"]
    assert_untouched(repo, main_commit, result, renders=2)


# rendered folders --------------------------------------------------------------------------------


def test_diff_of_two_renders_of_the_same_commit_is_empty(repo, base_dir, out, unchanged):
    result = repo.run("render", "--out", str(out / "again"))
    assert result.code == 0, result.err
    result = repo.run("diff", str(base_dir), str(out / "again"))
    assert result.code == 0, result.err
    for stage in STAGES:
        assert f"== {stage}: no changes, {unchanged[stage]} unchanged" in result.out.splitlines()
    assert "  update " not in result.out and "  restart " not in result.out


def test_diff_of_rendered_folders_in_every_format(repo, base_dir, bump, out, unchanged):
    _, bump_dir = bump
    text = repo.run("diff", str(base_dir), str(bump_dir))
    assert text.code == 0, text.err
    assert_bump_header(next(line for line in text.out.splitlines() if line.startswith("== prod: ")), unchanged)
    assert f"      {IMAGE_LINE}" in text.out.splitlines()
    data = repo.run("diff", str(base_dir), str(bump_dir), "--format", "json", "--output", str(out / "diff.json"))
    assert (data.code, data.out) == (0, "")
    report = json.loads((out / "diff.json").read_text())
    assert changes(report, "prod") == BUMPED_IN_PROD
    assert changes(report, "dev") == changes(report, "staging") == []
    markdown = repo.run("diff", str(base_dir), str(bump_dir), "--format", "markdown")
    assert markdown.code == 0, markdown.err
    counts = report["stages"][2]["counts"]
    assert f"| prod | — | 0 | {counts['update']} | {counts['restart']} | 0 | 0 | 0 | 0 |  |" in markdown.out
    assert "| dev | — | 0 | 0 | 0 | 0 | 0 | 0 | 0 |  |" in markdown.out
    assert "| staging | — | 0 | 0 | 0 | 0 | 0 | 0 | 0 |  |" in markdown.out
    assert f"<summary><b>prod</b>: {len(report['stages'][2]['changes'])} changed resources" in markdown.out
    assert "<summary><b>dev</b>" not in markdown.out
    assert (
        "| `spec.template.spec.containers[agent].image` | 1.4.2@sha256:707a54d1a09f | 1.5.0@sha256:817bd2cd5088 |"
        in (markdown.out)
    )


def test_diff_of_one_rendered_stage_folder(repo, base_dir, bump, unchanged):
    _, bump_dir = bump
    result = repo.run("diff", str(base_dir / "prod"), str(bump_dir / "prod"))
    assert result.code == 0, result.err
    headers = [line for line in result.out.splitlines() if line.startswith("== ")]
    assert len(headers) == 1
    assert_bump_header(headers[0], unchanged)
    assert shared_rows(result.out.splitlines()) == BUMPED_IN_PROD


def test_rendered_folders_keep_the_stage_order(repo, base_dir, bump):
    _, bump_dir = bump
    result = repo.run("diff", str(base_dir), str(bump_dir), "--format", "json")
    assert [s["stage"] for s in json.loads(result.out)["stages"]] == list(STAGES)


def test_a_stage_missing_from_new_shows_its_resources_deleted(repo, base_dir, out, unchanged):
    result = repo.run("render", "--out", str(out / "two-stages"), "--stage", "dev", "--stage", "staging")
    assert result.code == 0, result.err
    result = repo.run("diff", str(base_dir), str(out / "two-stages"), "--format", "json")
    assert result.code == 0, result.err
    prod = [s for s in json.loads(result.out)["stages"] if s["stage"] == "prod"]
    assert [s["counts"]["delete"] for s in prod] == [unchanged["prod"]]


# bad input ---------------------------------------------------------------------------------------


def test_an_unknown_revision_is_bad_input(repo, main_commit):
    result = repo.run("diff", "no-such-branch", "worktree")
    assert result.code == 2
    assert "pipeline diff: invalid input" in result.err
    assert "unknown git revision 'no-such-branch'" in result.err
    assert result.out == ""
    assert_untouched(repo, main_commit, result, renders=0)


def test_a_folder_without_manifests_is_bad_input(repo, out):
    # An empty folder is no stage tree, so plain YAML; holding no object, it cannot be compared.
    (out / "empty").mkdir(exist_ok=True)
    result = repo.run("diff", str(out / "empty"), "worktree")
    assert result.code == 2
    assert f"no Kubernetes manifests in {out / 'empty'}\n" in result.err
    assert result.out == ""


def test_a_stage_not_in_a_rendered_folder_is_bad_input(repo, base_dir):
    result = repo.run("diff", str(base_dir), str(base_dir), "--stage", "qa")
    assert result.code == 2
    assert f"{base_dir}: no rendered stage here of qa" in result.err
