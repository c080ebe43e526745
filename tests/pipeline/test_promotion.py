"""pipeline promote SRC DST through its entry point, in a temporary git repository.

One repository is built for the module from this repository's own code and stage files. Each
scenario puts it back to the base commit, sets up what it needs (commits, or uncommitted edits
where the scenario is about local edits), runs the command line once or twice in this process and
records what it printed and what the files and the checkout looked like; the tests read the records.

The helpers at the top are shared with test_lifecycle.py and test_gate_status.py.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from model.loader import load_environment
from model.source import parse_document
from model.writer import dump_round_trip, load_round_trip
from tests.conftest import ENVIRONMENTS
from tests.pipeline.gitrepo import GitRepo, Result, build_repo

REGISTRY = "registry.agentflow.example.com/agentflow"
ORDER_MESSAGE = "promotion goes stage by stage (dev -> staging -> prod)"
PROD_RELEASE, STAGING_RELEASE = "2026.11.4", "2026.11.5"


# shared helpers -------------------------------------------------------------------------------------


def digest(seed: str) -> str:
    return "sha256:" + hashlib.sha256(seed.encode()).hexdigest()


def image(service: str, version: str) -> str:
    """A pinned image reference of the platform's registry (a made-up digest)."""
    return f"{REGISTRY}/{service}:{version}@{digest(service + version)}"


def parsed(text: str) -> dict:
    return parse_document(text, "stage.yaml").data


def without(data: dict, *keys: str) -> dict:
    return {k: v for k, v in data.items() if k not in keys}


def comments(text: str) -> list[str]:
    """Every comment of a stage file, in order (no value in these files holds a '#')."""
    return [line[line.index("#") :].strip() for line in text.splitlines() if "#" in line]


def block(text: str, key: str) -> range:
    """The line numbers (0-based) of a top-level block: its key line and its indented lines."""
    lines = text.splitlines()
    start = lines.index(f"{key}:")
    end = start + 1
    for number in range(start + 1, len(lines)):
        if lines[number] and not lines[number].startswith((" ", "#")):
            break
        if lines[number].startswith(" "):
            end = number + 1
    return range(start, end)


def changed_ranges(before: str, after: str) -> list[tuple[range, range]]:
    """(lines of before, lines of after) of each hunk of a line diff."""
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    return [(range(i1, i2), range(j1, j2)) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def edit_release(repo: GitRepo, stage: str, change: Callable[[dict], None], commit: str | None = None) -> None:
    """Edit a stage's release in place through the round-trip writer (no render, so it is cheap)."""
    path = f"environments/{stage}.yaml"
    document = load_round_trip(repo.read(path))
    change(document["release"])
    repo.write(path, dump_round_trip(document), commit)


def release_of(repo: GitRepo, stage: str, revision: str | None = None) -> dict:
    path = f"environments/{stage}.yaml"
    return parsed(repo.git("show", f"{revision}:{path}") if revision else repo.read(path))["release"]


def reset(repo: GitRepo, base: str) -> None:
    """Back to a clean checkout of base on main, with no branch but main."""
    repo.git("checkout", "-q", "-f", "main")
    repo.restore(base)
    for branch in repo.git("for-each-ref", "--format=%(refname:short)", "refs/heads/").split():
        if branch != "main":
            repo.git("branch", "-q", "-D", branch)


def stage_texts(repo: GitRepo) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((repo.path / "environments").glob("*.yaml"))}


def leftovers(repo: GitRepo) -> list[str]:
    """Temporary files of the atomic writer left in environments/."""
    return sorted(p.name for p in (repo.path / "environments").iterdir() if p.name.startswith("."))


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.out + result.err


def section(out: str, title: str) -> str:
    """What follows a `--- title ---` line of the output, up to the next such line."""
    text = out.split(f"--- {title} ---\n", 1)[1]
    return re.split(r"\n--- [a-z -]+ ---\n", text, maxsplit=1)[0]


@dataclass
class Run:
    """One command: its result, the stage files before and after, the checkout before and after."""

    result: Result
    before: dict[str, str]
    after: dict[str, str]
    checkout_before: tuple[str, str, str]
    checkout_after: tuple[str, str, str]


def checkout(repo: GitRepo) -> tuple[str, str, str]:
    return repo.head(), repo.branch(), repo.status()


def run(repo: GitRepo, *argv: str) -> Run:
    before, checkout_before = stage_texts(repo), checkout(repo)
    result = repo.run(*argv)
    return Run(result, before, stage_texts(repo), checkout_before, checkout(repo))


# fixtures ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitRepo:
    return build_repo(tmp_path_factory.mktemp("promotion") / "repo")


@pytest.fixture(scope="module")
def base(repo) -> str:
    return repo.head()


NEW_AGENT = image("agent-service", "1.6.0")


@pytest.fixture(scope="module")
def dev_to_staging(repo, base) -> Run:
    """dev gets a new agent-service image and release id (committed); then promote dev staging --write."""
    reset(repo, base)

    def new_release(release):
        release["version"] = "2026.12.1"
        release["images"]["agent-service"] = NEW_AGENT

    edit_release(repo, "dev", new_release, commit="dev: agent-service 1.6.0")
    return run(repo, "promote", "dev", "staging", "--write")


@pytest.fixture(scope="module")
def mutable_tag(repo, base) -> Run:
    """staging's release carries agent-service by tag only (committed); promote staging prod --write --branch."""
    reset(repo, base)
    edit_release(
        repo,
        "staging",
        lambda release: release["images"].__setitem__("agent-service", f"{REGISTRY}/agent-service:1.5.0"),
        commit="staging: agent-service by tag",
    )
    return run(repo, "promote", "staging", "prod", "--write", "--branch")


PROD_LOCAL_EDITS = (
    ("    autoscaling: {min_replicas: 2, max_replicas: 4}\n", "    autoscaling: {min_replicas: 3, max_replicas: 4}\n"),
    ("    pdb: {min_available: 3}\n", "    pdb: {min_available: 4}\n"),
)


@pytest.fixture(scope="module")
def local_edits(repo, base) -> Run:
    """prod.yaml has uncommitted stage-owned edits (monitoring-service's HPA minimum, task-service's PDB)."""
    reset(repo, base)
    for old, new in PROD_LOCAL_EDITS:
        repo.edit("environments/prod.yaml", old, new)
    return run(repo, "promote", "staging", "prod", "--write")


@pytest.fixture(scope="module")
def branch_runs(repo, base) -> tuple[Run, Run, dict]:
    """promote staging prod --branch twice, with an unrelated staged file and an untracked one in the checkout."""
    reset(repo, base)
    repo.write("notes/staged.md", "staged, not committed\n")
    repo.git("add", "notes/staged.md")
    repo.write("notes/untracked.md", "untracked\n")
    first = run(repo, "promote", "staging", "prod", "--branch")
    facts = {"worktrees_after_first": repo.worktrees(), "scratch": sorted(p.name for p in repo.tmp.iterdir())}
    branch = f"promote/staging-to-prod-{STAGING_RELEASE}"
    facts["branch_commit"] = repo.git("rev-parse", branch).strip()
    second = run(repo, "promote", "staging", "prod", "--branch")
    facts["branch_commit_after_second"] = repo.git("rev-parse", branch).strip()
    facts["worktrees"] = repo.worktrees()
    facts["message"] = repo.git("log", "-1", "--format=%B", branch)
    facts["parent"] = repo.git("rev-parse", f"{branch}^").strip()
    facts["files"] = repo.git("diff", "--name-only", base, branch).split()
    facts["prod_on_branch"] = repo.git("show", f"{branch}:environments/prod.yaml")
    facts["branches"] = repo.git("for-each-ref", "--format=%(refname:short)", "refs/heads/").split()
    return first, second, facts


# dev -> staging -------------------------------------------------------------------------------------------


def test_dev_to_staging_passes_and_writes(dev_to_staging):
    result = dev_to_staging.result
    assert result.code == 0, result.err
    assert "gate: PASS: dev -> staging: release 2026.12.1 into staging" in result.out
    assert "wrote environments/staging.yaml" in result.out
    assert "restart  Deployment agent-platform-staging/agent-service" in result.out


def test_dev_to_staging_writes_only_the_release(dev_to_staging):
    before, after = dev_to_staging.before, dev_to_staging.after
    assert {name for name in after if after[name] != before[name]} == {"staging.yaml"}
    old, new = parsed(before["staging.yaml"]), parsed(after["staging.yaml"])
    assert new["release"] == parsed(after["dev.yaml"])["release"]
    assert new["release"]["images"]["agent-service"] == NEW_AGENT and new["release"]["version"] == "2026.12.1"
    assert without(new, "release") == without(old, "release")
    assert list(new) == list(old)  # top-level key order kept


def test_dev_to_staging_text_diff_stays_inside_the_release_block(dev_to_staging):
    before, after = dev_to_staging.before["staging.yaml"], dev_to_staging.after["staging.yaml"]
    old_block, new_block = block(before, "release"), block(after, "release")
    hunks = changed_ranges(before, after)
    assert hunks, "the release did not change"
    for old_lines, new_lines in hunks:
        assert set(old_lines) <= set(old_block) and set(new_lines) <= set(new_block), (old_lines, new_lines)
    assert sum(len(old) for old, _ in hunks) == 2  # the version line and agent-service's image line
    assert comments(after) == comments(before)


def test_write_prints_the_commit_message(dev_to_staging):
    message = section(dev_to_staging.result.out, "commit message")
    lines = message.splitlines()
    assert lines[0] == "Promote release 2026.12.1 from dev to staging"
    assert lines[1] == ""
    assert lines[2].startswith("staging: release 2026.11.5 -> 2026.12.1 (")
    assert "- agent-service 1.5.0 -> 1.6.0" in lines
    assert sum(line.startswith("- ") for line in lines) == 1  # only the image that changed
    assert lines[-1].startswith("Gate: passed (") and lines[-1].endswith("no mandatory failure).")


def instances_of(service: str, stage: str) -> list[str]:
    """The namespaces running an instance of a service in a stage: the platform's and each tenant's, sorted."""
    env = load_environment(ENVIRONMENTS, stage)
    tenants = [env.tenant_namespace_name(t) for t in env.tenants if service in {s.name for s in t.services}]
    return sorted([env.namespace_name, *tenants])


def test_write_prints_the_pull_request_body_as_markdown_with_the_preview_table(dev_to_staging):
    body = section(dev_to_staging.result.out, "pull-request body")
    assert "## Infrastructure preview: `staging as committed` → `staging with dev's release`" in body
    assert "| stage | release | created | updated | restarted | replaced | deleted |" in body
    row = next(line for line in body.splitlines() if line.startswith("| staging |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[:3] == ["staging", "2026.11.5 → **2026.12.1**", "0"]
    # agent-service's Deployments restart: the platform's and every staging tenant's own instance
    assert cells[4] == str(len(instances_of("agent-service", "staging")))
    assert cells[5:7] == ["0", "0"]
    assert "```mermaid" in body
    assert "- `Deployment agent-platform-staging/agent-service`" in body
    assert "| `spec.template.spec.containers[agent].image` |" in body


# staging -> prod ----------------------------------------------------------------------------------------


def test_staging_to_prod_fails_on_a_mutable_tag_and_names_the_rule_and_the_resource(mutable_tag):
    result = mutable_tag.result
    assert result.code == 1
    gate = result.out.split("gate: FAIL: staging -> prod: release 2026.11.5 into prod is blocked:\n", 1)[1]
    problems = [line for line in gate.splitlines() if line.startswith("  - ")]
    assert sorted(problems) == [
        f"  - Deployment {namespace}/agent-service spec.template.spec.containers[agent].image: mandatory policy "
        f"image-digest: is '{REGISTRY}/agent-service:1.5.0', must be pinned by digest (@sha256:...)"
        for namespace in instances_of("agent-service", "prod")
    ]
    assert len(problems) > 1  # the tenants' instances are judged too


def test_a_failed_gate_writes_nothing_and_makes_no_branch(mutable_tag, repo):
    assert mutable_tag.after == mutable_tag.before
    assert mutable_tag.checkout_after == mutable_tag.checkout_before
    assert "wrote" not in mutable_tag.result.out and "commit message" not in mutable_tag.result.out
    assert repo.git("branch", "--list", "promote/*").strip() == ""


def test_staging_to_prod_passes_otherwise(branch_runs):
    first, _, _ = branch_runs
    assert first.result.code == 0, first.result.err
    assert "gate: PASS: staging -> prod: release 2026.11.5 into prod" in first.result.out
    assert "== prod (release 2026.11.4 -> 2026.11.5): " in first.result.out
    assert first.after == first.before  # without --write the stage files stay as they are


def test_local_edits_in_prod_fail_the_promotion_and_are_named(local_edits):
    result = local_edits.result
    assert result.code == 1
    gate = result.out.split("gate: FAIL: staging -> prod: release 2026.11.5 into prod is blocked:\n", 1)[1]
    problems = sorted(line for line in gate.splitlines() if line.startswith("  - "))
    assert problems == [
        "  - HorizontalPodAutoscaler agent-platform-prod/monitoring-service: spec.minReplicas differ and are not "
        "release-derived (stage-owned settings: change them in their own pull request)",
        "  - PodDisruptionBudget agent-platform-prod/task-service: spec.minAvailable differ and are not "
        "release-derived (stage-owned settings: change them in their own pull request)",
        "  - environments/prod.yaml: uncommitted changes to services.monitoring-service.autoscaling.min_replicas, "
        "services.task-service.pdb.min_available: a promotion carries the release only; commit or revert them first",
    ]
    assert local_edits.after == local_edits.before  # --write did not write


def test_a_failed_gate_does_not_also_say_nothing_blocks(local_edits):
    assert "nothing blocks this change" not in local_edits.result.out


@pytest.mark.parametrize(
    ("source", "target", "hint"),
    [
        ("dev", "prod", "dev promotes to staging"),
        ("prod", "staging", "prod is the last stage"),
        ("staging", "staging", "staging promotes to prod"),
        ("staging", "dev", "staging promotes to prod"),
    ],
)
def test_promotion_goes_stage_by_stage(repo, base, source, target, hint):
    reset(repo, base)
    before = stage_texts(repo)
    result = repo.run("promote", source, target, "--write")
    assert result.code == 2
    assert f"cannot promote {source} -> {target}: {ORDER_MESSAGE}" in result.err
    assert f"hint: {hint}" in result.err
    assert result.out == ""  # refused before anything is rendered
    assert stage_texts(repo) == before
    no_traceback(result)


def test_an_unknown_stage_is_refused(repo, base):
    reset(repo, base)
    result = repo.run("promote", "staging", "qa")
    assert result.code == 2
    assert "unknown stage 'qa'" in result.err and "the stages are dev, staging, prod" in result.err


# deletions ------------------------------------------------------------------------------------------------


EVALUATION = (
    "ConfigMap model-training-prod/evaluation-service-config",
    "Service model-training-prod/evaluation-service",
    "ServiceAccount model-training-prod/evaluation-service",
    "Deployment model-training-prod/evaluation-service",
    "VerticalPodAutoscaler model-training-prod/evaluation-service",
    "ServiceMonitor model-training-prod/evaluation-service",
    "NetworkPolicy model-training-prod/evaluation-service",
    "PodDisruptionBudget model-training-prod/evaluation-service",
)


@pytest.fixture(scope="module")
def retired_service(repo, base) -> tuple[Run, Run]:
    """evaluation-service retired in the working tree; promote staging prod, without and with --allow-disruptive.

    A release cannot delete anything by itself (it holds images, application config and a version),
    so a deletion reaches a promotion through the files beside the release. Here a developer retires
    evaluation-service in one working-tree change: its entry is removed from defaults.yaml and its
    image from dev's and staging's releases, and prod is left to get the change by promotion. The
    promotion's baseline is prod as committed (where the service runs), and after it prod has
    staging's release over the edited defaults, so every evaluation-service resource in prod would be
    deleted. The deletion also reroutes the training Ingress and changes the integrator's registry,
    which are stage-owned differences and block whatever the flag says.
    """
    reset(repo, base)
    defaults = repo.read("environments/defaults.yaml")
    start, end = defaults.index("    evaluation-service:\n"), defaults.index("    data-service:\n")
    repo.write("environments/defaults.yaml", defaults[:start] + defaults[end:])
    for stage in ("dev", "staging"):
        edit_release(repo, stage, lambda release: release["images"].pop("evaluation-service"))
    return (
        run(repo, "promote", "staging", "prod", "--write"),
        run(repo, "promote", "staging", "prod", "--write", "--allow-disruptive"),
    )


def _problems(result: Result) -> list[str]:
    return [line[4:] for line in result.out.split("is blocked:\n", 1)[-1].splitlines() if line.startswith("  - ")]


def test_a_promotion_that_deletes_resources_fails_and_names_each(retired_service):
    plain, _ = retired_service
    assert plain.result.code == 1
    for resource in EVALUATION:
        assert f"  DELETE   {resource}" in plain.result.out
        assert f"{resource}: would be deleted; pass --allow-disruptive if intended" in _problems(plain.result)
    assert plain.after == plain.before


def test_allow_disruptive_lets_the_deletions_through_but_not_the_stage_owned_changes(retired_service):
    plain, allowed = retired_service
    assert allowed.result.code == 1
    problems = _problems(allowed.result)
    assert not any("would be deleted" in problem for problem in problems)
    assert {p for p in _problems(plain.result) if "would be deleted" not in p} == set(problems)
    assert [p.split(":")[0] for p in problems] == [
        "environments/defaults.yaml",
        "ConfigMap model-training-prod/platform-integrator",
        "Ingress model-training-prod/model-training",
    ]
    assert "uncommitted changes to training.services.evaluation-service" in problems[0]
    assert all("not release-derived" in p for p in problems[1:])
    assert all(f"  DELETE   {resource}" in allowed.result.out for resource in EVALUATION)
    assert allowed.after == allowed.before


def test_a_local_edit_that_only_deletes_is_not_let_through_by_allow_disruptive(repo, base):
    reset(repo, base)
    repo.edit(
        "environments/prod.yaml",
        "  monitoring-service:\n",
        "  monitoring-service:\n    vpa: {enabled: false}\n",
    )
    result = repo.run("promote", "staging", "prod", "--allow-disruptive")
    assert "DELETE   VerticalPodAutoscaler agent-platform-prod/monitoring-service" in result.out
    assert result.code == 1


def test_a_local_policy_edit_fails_the_promotion(repo, base):
    reset(repo, base)
    repo.edit("environments/prod.yaml", "  min_replicas: 2 ", "  min_replicas: 1 ")
    result = repo.run("promote", "staging", "prod", "--branch")
    on_branch = repo.git("branch", "--list", "promote/*").strip()
    assert (result.code, on_branch) == (1, "")
    assert "policy.min_replicas" in result.out


# comments and atomic writes ---------------------------------------------------------------------------


COMMENTED = (
    (
        'release:\n  version: "2026.11.4"\n',
        'release:\n  # the release id: promotion rewrites it\n  version: "2026.11.4"   # id\n',
    ),
    ("  images:\n", "  images:\n    # every service, pinned by digest\n"),
    ("    monitoring-service: registry", "    # monitoring ships with the platform\n    monitoring-service: registry"),
    (
        "e8b9da8cbe6923d3cc08534f12efb531d260ab63ca688cbe69e085d68e996260\n",
        "e8b9da8cbe6923d3cc08534f12efb531d260ab63ca688cbe69e085d68e996260   # the last image\n",
    ),
    ("  config:\n    common:\n", "  config:\n    # read by every service\n    common:\n"),
    ("      llm:\n        provider: openai\n", "      llm:\n        provider: openai   # the default provider\n"),
    (
        "      workflow: {steps: [train, optimise, deploy], max_epochs: 10}\n\n",
        "      workflow: {steps: [train, optimise, deploy], max_epochs: 10}   # the workflow\n# release ends here\n\n# stage-owned from here on\n",
    ),
    ("  task-service:\n    autoscaling:", "  # the queue workers\n  task-service:\n    autoscaling:"),
    (
        "  require_spread: true                      # hostname anti-affinity and zone spread\n",
        "  require_spread: true                      # hostname anti-affinity and zone spread\n# end of prod\n",
    ),
)


def commented_prod(repo: GitRepo) -> str:
    text = repo.read("environments/prod.yaml")
    for old, new in COMMENTED:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def commented(repo, base) -> Run:
    """prod.yaml with comments inside, right after and below the release block (committed); promote --write."""
    reset(repo, base)
    repo.write("environments/prod.yaml", commented_prod(repo), commit="prod: comments")
    return run(repo, "promote", "staging", "prod", "--write")


def test_a_commented_stage_file_keeps_every_comment(commented):
    assert commented.result.code == 0, commented.result.err
    before, after = commented.before["prod.yaml"], commented.after["prod.yaml"]
    assert len(comments(before)) == len(re.findall("#", before)) >= 20
    assert comments(after) == comments(before)
    assert parsed(after)["release"] == parsed(commented.after["staging.yaml"])["release"]
    assert without(parsed(after), "release") == without(parsed(before), "release")
    lines = after.splitlines()
    assert lines[lines.index('  version: "2026.11.5"   # id') - 1] == "  # the release id: promotion rewrites it"
    assert lines[block(after, "release")[-1] + 1] == "# release ends here"
    assert lines[-1] == "# end of prod"


def test_a_comment_after_the_release_block_stays_after_it_when_the_release_grows(repo, base):
    reset(repo, base)
    text = commented_prod(repo).replace(
        "      workflow: {steps: [train, optimise, deploy], max_epochs: 10}   # the workflow\n",
        "      workflow:\n        steps: [train, optimise, deploy]\n        max_epochs: 10\n",
    )
    repo.write("environments/prod.yaml", text)
    edit_release(repo, "staging", lambda r: r["config"]["fine-tuning-service"]["workflow"].__setitem__("gpus", 2))
    repo.commit("prod: block-style workflow; staging: workflow on 2 GPUs")
    result = repo.run("promote", "staging", "prod", "--write")
    assert result.code == 0, result.out
    after = repo.read("environments/prod.yaml")
    assert parsed(after)["release"]["config"]["fine-tuning-service"]["workflow"]["gpus"] == 2
    assert after.index("gpus: 2") < after.index("# release ends here")


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (OSError(28, "No space left on device"), 2, "pipeline promote: No space left on device"),
        (RuntimeError("rename failed"), 3, "pipeline promote: internal error: RuntimeError: rename failed"),
    ],
    ids=["os-error", "other-error"],
)
def test_an_interrupted_write_leaves_the_target_byte_identical(repo, base, monkeypatch, error, code, message):
    reset(repo, base)
    before = (repo.path / "environments" / "prod.yaml").read_bytes()
    monkeypatch.delenv("PIPELINE_DEBUG", raising=False)

    def fail(*args, **kwargs):
        raise error

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("model.writer.os.replace", fail)
        result = repo.run("promote", "staging", "prod", "--write")
    assert result.code == code
    assert "gate: PASS" in result.out and "wrote" not in result.out
    assert message in result.err
    no_traceback(result)
    assert (repo.path / "environments" / "prod.yaml").read_bytes() == before
    assert leftovers(repo) == []
    assert repo.status() == ""


# --branch ------------------------------------------------------------------------------------------------


def test_branch_commits_the_committed_file_not_uncommitted_comments(base, repo):
    """A comment edited in the working tree is not data (the gate lets it pass); it stays out of the branch."""
    reset(repo, base)
    local = "# a local note, not for the promotion branch\n" + repo.read("environments/prod.yaml")
    repo.write("environments/prod.yaml", local)
    result = repo.run("promote", "staging", "prod", "--branch")
    assert result.code == 0, result.err
    on_branch = repo.git("show", f"promote/staging-to-prod-{STAGING_RELEASE}:environments/prod.yaml")
    assert "a local note" not in on_branch
    assert STAGING_RELEASE in on_branch
    assert repo.read("environments/prod.yaml") == local  # the working tree is the user's, untouched
    reset(repo, base)


def test_branch_commits_on_the_promotion_branch(branch_runs, base, repo):
    first, _, facts = branch_runs
    branch = f"promote/staging-to-prod-{STAGING_RELEASE}"
    assert (
        f"committed {facts['branch_commit'][:12]} on {branch} with rendered/prod/ "
        "(your branch and working tree are unchanged)" in first.result.out
    )
    assert facts["message"].startswith(f"Promote release {STAGING_RELEASE} from staging to prod\n")
    assert facts["message"].strip() == section(first.result.out, "commit message").strip()
    assert facts["parent"] == base
    assert facts["files"][0] == "environments/prod.yaml"
    assert facts["files"][1:] and all(name.startswith("rendered/prod/") for name in facts["files"][1:])
    committed = parsed(repo.git("show", f"{base}:environments/prod.yaml"))
    on_branch = parsed(facts["prod_on_branch"])
    assert on_branch["release"] == release_of(repo, "staging", base)
    assert without(on_branch, "release") == without(committed, "release")
    assert "--- pull-request body ---" in first.result.out


def test_branch_leaves_the_checkout_alone(branch_runs, repo):
    first, second, facts = branch_runs
    head, branch, status = first.checkout_before
    assert branch == "main"
    assert status.splitlines() == ["A  notes/staged.md", "?? notes/untracked.md"]
    assert first.checkout_after == first.checkout_before
    assert second.checkout_after == first.checkout_before
    assert first.after == first.before and second.after == second.before
    assert facts["worktrees_after_first"] == [str(repo.path)] and facts["worktrees"] == [str(repo.path)]
    assert not [name for name in facts["scratch"] if name.startswith("pipeline-branch-")]


def test_a_second_branch_for_the_same_release_fails(branch_runs):
    _, second, facts = branch_runs
    assert second.result.code == 2
    assert f"branch promote/staging-to-prod-{STAGING_RELEASE} already exists" in second.result.err
    assert facts["branch_commit_after_second"] == facts["branch_commit"]
    assert sorted(facts["branches"]) == ["main", f"promote/staging-to-prod-{STAGING_RELEASE}"]
    no_traceback(second.result)


def test_helpers_find_the_release_block():
    with pytest.raises(ValueError):
        block("a: 1\n", "release")
    sample = "a:\n  b: 1\n\n# c\nrelease:\n  x: 1\n  y:\n    z: 2\n# after\n\nd: 3\n"
    assert block(sample, "release") == range(4, 8)
