"""pipeline preview --base REF through its entry point, in temporary git repositories.

Each scenario edits the head (the working tree, or the code itself) of one repository built
once for this module, runs the preview once or twice, records what it wrote and what the
checkout looked like before and after, and puts the checkout back. The tests then read the
records. Heads that edit the code run the command line as a subprocess with the repository's
own code; the others run it in this process.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest

from kube.tenancy import tenant_namespaces
from pipeline.reports import preview_markdown
from tests.conftest import STAGES
from tests.pipeline.gitrepo import GitRepo, Result, build_repo
from tests.pipeline.test_check_cli import sarif_schema

RELEASES = {"dev": "2026.11.5", "staging": "2026.11.5", "prod": "2026.11.4"}
DEV_IMAGE = "agent-service:1.5.0@sha256:817bd2cd508817e15c431ae9e118ef623613a5966ce0cc1cd6c4724545990dfe"
SELECTOR = 'return {"app.kubernetes.io/name": self.name, "app.kubernetes.io/instance": self.instance}'
CUT_NOTE = "> The preview was cut at GitHub's comment size:"


@dataclass
class Run:
    """One preview: its result, the files it wrote, and the checkout around it."""

    result: Result
    files: dict[str, Path]
    before: tuple[str, str, str]  # HEAD, branch, git status --porcelain
    after: tuple[str, str, str]
    worktrees: list[str]
    scratch_left: set[str]  # base-render folders in the command line's temp dir afterwards
    in_process: bool
    texts: dict[str, str] = field(default_factory=dict)

    def json(self) -> dict:
        return json.loads(self.texts["json"])

    def stage(self, name: str) -> dict:
        return next(s for s in self.json()["stages"] if s["stage"] == name)

    def everything(self) -> str:
        """Every byte the run showed or wrote."""
        return "\n".join([self.result.out, self.result.err, *self.texts.values()])


def checkout(repo: GitRepo) -> tuple[str, str, str]:
    return repo.head(), repo.branch(), repo.status()


def preview(repo: GitRepo, out: Path, *args: str, subprocess: bool = False, **files: str) -> Run:
    """`pipeline preview args` plus an option per file (output="md" -> --output out/<n>.md)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {option: out / f"{option}.{suffix}" for option, suffix in files.items()}
    argv = ["preview", *args]
    for option, path in paths.items():
        argv += [f"--{option}", str(path)]
    before = checkout(repo)
    assert repo.scratch_folders() == set()
    result = repo.run_subprocess(*argv) if subprocess else repo.run(*argv)
    run = Run(result, paths, before, checkout(repo), repo.worktrees(), repo.scratch_folders(), not subprocess)
    names = {"output": "markdown" if files.get("output") == "md" else "text", "json": "json", "sarif": "sarif"}
    for option, path in paths.items():
        if path.is_file():
            run.texts[names[option]] = path.read_text()
    return run


def assert_left_alone(repo: GitRepo, run: Run, renders: int = 1) -> None:
    """The user's checkout as it was, no worktree and no scratch folder left."""
    assert run.after == run.before
    assert run.worktrees == [str(repo.path)]
    assert run.scratch_left == set()
    if run.in_process:  # the scratch folders the base renders made: as many as renders, all gone
        assert len(run.result.scratch) == renders
        assert not any(folder.exists() for folder in run.result.scratch)


def changes(stage: dict) -> list[tuple[str, str]]:
    return [(c["rollout"], c["resource"]) for c in stage["changes"]]


def shared(stage: dict) -> dict:
    """A stage of the JSON with only the shared platform's changes (the dedicated tenants' set aside)."""
    return {**stage, "changes": [c for c in stage["changes"] if c["tenant"] is None]}


def of_tenants(stage: dict) -> list[dict]:
    return [c for c in stage["changes"] if c["tenant"] is not None]


def expected_row(run: Run, stage: str, verdict: str) -> str:
    """The summary table's row of a stage, from the counts of the preview's JSON."""
    data = run.stage(stage)
    c = data["counts"]
    weakens = sum(len(change["risks"]) for change in data["changes"])
    new = sum(1 for f in data["policy"]["findings"] if f["new"] and f["enforcement"] == "mandatory")
    return (
        f"| {stage} | {RELEASES[stage]} | {c['create']} | {c['update']} | {c['restart']} | {c['replace']} | "
        f"{c['delete']} | {weakens} | {new} | {verdict} |"
    )


def deployments(rendered, stage: str) -> list[str]:
    """Every Deployment of a stage's render, titled, in the diff's order (shared and tenants' alike)."""
    return [
        f"Deployment {m['metadata']['namespace']}/{m['metadata']['name']}"
        for m in rendered[stage].manifests
        if m["kind"] == "Deployment"
    ]


def block(lines: list[str], header: str) -> list[str]:
    """The field and flag lines under one resource of a text report."""
    start = lines.index(header) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("      ")), len(lines))
    return lines[start:end]


def table_row(markdown: str, stage: str) -> str:
    return next(line for line in markdown.splitlines() if line.startswith(f"| {stage} |"))


def fake_key(seed: int) -> str:
    """An OpenAI-shaped value that is no key (built here so the repository holds none)."""
    return "sk-" + "proj" + "".join(f"{seed}{i}q" for i in range(8))


def fake_password(seed: int) -> str:
    return "pw" + "-" + str(7310 + seed) + "-lima"


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitRepo:
    return build_repo(tmp_path_factory.mktemp("preview") / "repo")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("preview-out")


@pytest.fixture(scope="module")
def main_commit(repo) -> str:
    return repo.head()


@pytest.fixture(scope="module")
def reset(repo, main_commit):
    """Puts the checkout back on a clean main (scenarios call it before and after themselves)."""

    def back_to_main() -> None:
        repo.git("checkout", "-q", "-f", "main")
        repo.restore(main_commit)
        assert checkout(repo) == (main_commit, "main", "")

    return back_to_main


# scenarios ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def image_bump(repo, out, reset):
    """dev runs a new agent-service image; nothing else changes."""
    reset()
    new_image = "agent-service:1.5.1@sha256:" + "5e" * 32
    repo.edit("environments/dev.yaml", DEV_IMAGE, new_image)
    run = preview(repo, out / "image-bump", "--base", "main", output="md", json="json", sarif="sarif")
    reset()
    return run


@pytest.fixture(scope="module")
def selector_change(repo, out, reset):
    """The code selects pods by one more label: every Deployment's selector changes."""
    reset()
    repo.edit(
        "components/meta.py",
        SELECTOR,
        SELECTOR[:-1] + ', "app.kubernetes.io/part-of": self.part_of}',
    )
    blocked = preview(repo, out / "selector", "--base", "main", "--format", "text", subprocess=True, json="json")
    allowed = preview(
        repo, out / "selector-allowed", "--base", "main", "--allow-disruptive", subprocess=True, output="md"
    )
    reset()
    return blocked, allowed


def remove_user_service(repo: GitRepo) -> None:
    defaults = repo.read("environments/defaults.yaml")
    start, end = defaults.index("  user-service:\n"), defaults.index("  tenant-service:\n")
    repo.write("environments/defaults.yaml", defaults[:start] + defaults[end:])
    repo.edit(
        "environments/defaults.yaml", "tool-service, user-service, tenant-service", "tool-service, tenant-service"
    )
    for stage in STAGES:
        text = repo.read(f"environments/{stage}.yaml")
        text = re.sub(r"\n    user-service: registry\.[^\n]*", "", text)
        text = text.replace(
            "    user-service:\n      auth: {jwt_ttl_seconds: 3600, refresh_ttl_seconds: 604800, bcrypt_cost: 12}\n", ""
        )
        text = text.replace(
            "  user-service:\n    autoscaling: {min_replicas: 2, max_replicas: 10}\n    pdb: {min_available: 1}\n", ""
        )
        assert "user-service" not in text
        repo.write(f"environments/{stage}.yaml", text)


@pytest.fixture(scope="module")
def service_removed(repo, out, reset):
    """user-service leaves the platform: its stage entries go, and so do its objects."""
    reset()
    remove_user_service(repo)
    full = preview(repo, out / "removed", "--base", "main", output="md", json="json")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(preview_markdown, "MAX_CHARS", 1500)
        cut = preview(repo, out / "removed-cut", "--base", "main", "--stage", "prod", output="md")
    reset()
    return full, cut


@pytest.fixture(scope="module")
def weakened(repo, out, reset):
    """Containers may write their root filesystem, and every redis client may reach a second port."""
    reset()
    repo.edit("components/pod.py", '"readOnlyRootFilesystem": True,', '"readOnlyRootFilesystem": False,')
    defaults = repo.read("environments/defaults.yaml")
    widened = re.sub(r"(\n    redis: \{ports: \[[^\]\n]*)\]", r"\1, {port: 6380}]", defaults, count=1)
    assert widened != defaults
    repo.write("environments/defaults.yaml", widened)
    text = preview(
        repo, out / "weakened-text", "--base", "main", "--format", "text", "--stage", "prod", subprocess=True
    )
    rich = preview(
        repo, out / "weakened", "--base", "main", "--stage", "prod", subprocess=True, output="md", json="json"
    )
    reset()
    return text, rich


@pytest.fixture(scope="module")
def daily_backup(repo, out, reset):
    """prod backs up daily (the RPO is 1 h): new against main, not new against a base that already did."""
    reset()
    repo.edit("environments/prod.yaml", 'schedule: "*/30 * * * *"', 'schedule: "0 2 * * *"')
    new = preview(repo, out / "daily-new", "--base", "main", "--stage", "prod", "--format", "text", json="json")
    repo.git("checkout", "-q", "-b", "daily-backup")
    repo.commit("prod: daily backups")
    same = preview(repo, out / "daily-same", "--base", "daily-backup", "--stage", "prod", output="md", json="json")
    reset()
    return new, same


@pytest.fixture(scope="module")
def secrets_in_config(repo, out, reset):
    """dev's agent-service gets a literal API key in its config and a password in its env, then both change."""
    reset()
    repo.git("checkout", "-q", "-b", "with-secrets")
    repo.edit(
        "environments/dev.yaml",
        "        retry_backoff_seconds: 2\n",
        f"        retry_backoff_seconds: 2\n        api_key: {fake_key(1)}\n",
    )
    dev = repo.read("environments/dev.yaml")
    env = f"\nservices:\n  agent-service:\n    env: {{DB_PASSWORD: {fake_password(1)}, LOG_LEVEL: info}}\n"
    base = repo.write("environments/dev.yaml", dev + env, commit="dev: secrets where they do not belong")
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", base, "--", ".")  # the working tree of main now holds the base's files ...
    repo.edit("environments/dev.yaml", fake_key(1), fake_key(2))  # ... and then the head's edits
    repo.edit("environments/dev.yaml", fake_password(1), fake_password(2))
    repo.edit("environments/dev.yaml", "temperature: 0.7", "temperature: 0.5")
    repo.edit("environments/dev.yaml", "LOG_LEVEL: info", "LOG_LEVEL: debug")
    text = preview(repo, out / "secrets-text", "--base", base, "--stage", "dev", "--format", "text")
    rich = preview(repo, out / "secrets", "--base", base, "--stage", "dev", output="md", json="json")
    reset()
    return text, rich


@pytest.fixture(scope="module")
def broken_bases(repo, out, reset):
    """Base revisions that do not render: an invalid stage file, code that raises."""
    reset()
    repo.git("checkout", "-q", "-b", "broken-stage")
    invalid = repo.edit("environments/dev.yaml", "  retention: 3\n", "  retention: three\n", commit="dev: invalid")
    repo.git("checkout", "-q", "-b", "broken-code", "main")
    raising = repo.edit(
        "components/pod.py",
        '    """No privilege, no capabilities, read-only root: what every container runs with."""\n',
        '    """No privilege, no capabilities, read-only root: what every container runs with."""\n'
        '    raise RuntimeError("broken on purpose")\n',
        commit="code: raises",
    )
    repo.git("checkout", "-q", "main")
    # The user's checkout: an uncommitted edit, a staged one, and an untracked file.
    repo.edit("environments/dev.yaml", DEV_IMAGE, "agent-service:1.5.1@sha256:" + "7c" * 32)
    repo.edit("environments/staging.yaml", "retention: 8", "retention: 9")
    repo.git("add", "environments/staging.yaml")
    repo.write("notes.txt", "work in progress\n")
    assert repo.status() == " M environments/dev.yaml\nM  environments/staging.yaml\n?? notes.txt\n"
    stage_file = preview(repo, out / "broken-stage", "--base", "broken-stage", "--format", "text")
    code = preview(repo, out / "broken-code", "--base", "broken-code", "--format", "text")
    reset()
    return (invalid, stage_file), (raising, code)


# an image bump in dev ----------------------------------------------------------------------------


def test_an_image_bump_in_dev_restarts_that_deployment_only_in_dev(image_bump, rendered):
    run = image_bump
    assert (run.result.code, run.result.out, run.result.err) == (0, "", "")
    ns = "agent-platform-dev"
    assert changes(shared(run.stage("dev"))) == [
        ("update", f"ConfigMap {ns}/agent-service-config"),
        ("update", f"Service {ns}/agent-service"),
        ("update", f"ServiceAccount {ns}/agent-service"),
        ("restart", f"Deployment {ns}/agent-service"),
        ("update", f"HorizontalPodAutoscaler {ns}/agent-service"),
        ("update", f"ServiceMonitor {ns}/agent-service"),
        ("update", f"NetworkPolicy {ns}/agent-service"),
    ]
    deployment = shared(run.stage("dev"))["changes"][3]
    assert deployment["reasons"] == ["the pod template changed"]
    # each dedicated tenant's own agent-service takes the same image, and its changes are the tenant's
    owners = tenant_namespaces(rendered["dev"].manifests)
    assert all(owners.get(c["namespace"]) == c["tenant"] for c in of_tenants(run.stage("dev")))
    assert [c["resource"] for c in run.stage("dev")["changes"] if c["rollout"] == "restart"] == [
        d for d in deployments(rendered, "dev") if d.endswith("/agent-service")
    ]
    assert {
        "path": "spec.template.spec.containers[agent].image",
        "old": "1.5.0@sha256:817bd2cd5088",
        "new": "1.5.1@sha256:5e5e5e5e5e5e",
    } in deployment["changes"]
    for stage in ("staging", "prod"):
        assert run.stage(stage)["changes"] == []
        assert run.stage(stage)["counts"] == {"create": 0, "update": 0, "restart": 0, "replace": 0, "delete": 0}
        assert run.stage(stage)["unchanged"] == len(rendered[stage].manifests)
    assert (run.json()["passed"], run.json()["blockers"]) == (True, [])


def test_the_markdown_has_the_summary_table_the_stage_diagram_and_folded_details(image_bump):
    markdown = image_bump.texts["markdown"]
    assert markdown.startswith("<!-- agent-platform-preview -->\n## Infrastructure preview: `main (")
    assert table_row(markdown, "dev") == expected_row(image_bump, "dev", ":white_check_mark:")
    assert table_row(markdown, "dev").startswith("| dev | 2026.11.5 | 0 | ")
    assert table_row(markdown, "staging") == "| staging | 2026.11.5 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | :white_check_mark: |"
    assert table_row(markdown, "prod") == "| prod | 2026.11.4 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | :white_check_mark: |"
    mermaid = markdown.split("```mermaid\n", 1)[1].split("```", 1)[0].splitlines()
    assert mermaid == [
        "flowchart LR",
        '  dev["dev<br/>2026.11.5"]',
        '  staging["staging<br/>2026.11.5"]',
        '  prod["prod<br/>2026.11.4"]',
        "  dev --> staging --> prod",
        "  style dev stroke-width:3px",
    ]
    assert markdown.count("<details>") == markdown.count("</details>") == 1
    dev = image_bump.stage("dev")
    tenants = [group["tenant"] for group in dev["tenants"] if group["tenant"] is not None]
    if not tenants:  # a stage without dedicated tenants reads by rollout class alone
        assert "<summary><b>dev</b>: 7 changed resources</summary>" in markdown
        assert "#### Restarted (1)" in markdown and "#### Updated in place (6)" in markdown
    else:  # grouped by tenant: the shared platform first, then each tenant with its counts
        summary = f"{len(dev['changes'])} changed resources in {len(tenants)} tenant{'s' if len(tenants) > 1 else ''}"
        assert f"<summary><b>dev</b>: {summary} and the shared platform</summary>" in markdown
        headings = [line for line in markdown.splitlines() if line.startswith("#### ")]
        assert headings[0] == "#### Shared platform: 1 restart, 6 update"
        assert [heading.split(":")[0] for heading in headings[1:]] == [f"#### Tenant `{t}`" for t in tenants]
        assert "##### Restarted (1)" in markdown and "##### Updated in place (6)" in markdown
    assert CUT_NOTE not in markdown


def test_the_json_and_sarif_files_are_written_and_the_sarif_validates(image_bump):
    assert set(image_bump.texts) == {"markdown", "json", "sarif"}
    assert [(s["stage"], s["release"], s["base_release"]) for s in image_bump.json()["stages"]] == [
        (stage, RELEASES[stage], RELEASES[stage]) for stage in STAGES
    ]
    assert all(s["policy"]["passed"] for s in image_bump.json()["stages"])
    log = json.loads(image_bump.texts["sarif"])
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert [run["automationDetails"]["id"] for run in log["runs"]] == [f"pipeline-check/{s}/" for s in STAGES]


def test_a_successful_preview_leaves_no_worktree_and_the_checkout_as_it_was(repo, image_bump, main_commit):
    assert image_bump.before == (main_commit, "main", " M environments/dev.yaml\n")
    assert_left_alone(repo, image_bump)
    assert not [p for p in (repo.path / ".git" / "worktrees").glob("*")]


# a selector change -------------------------------------------------------------------------------


def test_a_selector_change_replaces_every_deployment_and_blocks_on_prod(repo, selector_change, rendered):
    blocked, _ = selector_change
    assert blocked.result.code == 1
    assert blocked.result.err.splitlines() == [
        f"blocked: prod: {len(deployments(rendered, 'prod'))} replacement or deletions "
        "(Deployment agent-platform-prod/agent-service, "
        "Deployment agent-platform-prod/cost-service, Deployment agent-platform-prod/monitoring-service, ...); "
        "pass --allow-disruptive if intended"
    ]
    reason = "spec.selector.matchLabels['app.kubernetes.io/part-of'] is immutable"
    for stage in STAGES:
        replaced = [c for c in blocked.stage(stage)["changes"] if c["rollout"] == "replace"]
        assert [c["resource"] for c in replaced] == deployments(rendered, stage)  # the tenants' too
        assert [c["kind"] for c in replaced if c["tenant"] is None] == ["Deployment"] * 13
        assert all(c["reasons"] == [reason] for c in replaced)
        assert blocked.stage(stage)["counts"]["replace"] == len(replaced)
        assert blocked.stage(stage)["counts"]["delete"] == 0
        assert f"  REPLACE  Deployment agent-platform-{stage}/agent-service  ({reason})" in blocked.result.out
    assert blocked.json()["passed"] is False
    assert blocked.result.out.rstrip().endswith("pass --allow-disruptive if intended")
    assert_left_alone(repo, blocked)


def test_allow_disruptive_lets_the_replacement_through(repo, selector_change, rendered):
    _, allowed = selector_change
    assert (allowed.result.code, allowed.result.err) == (0, "")
    markdown = allowed.texts["markdown"]
    for stage in STAGES:
        row = table_row(markdown, stage).split(" | ")
        assert row[5] == str(len(deployments(rendered, stage))), row  # replaced
        assert row[-1] == ":white_check_mark: |"
    assert "**Blocked:**" not in markdown
    assert "# Replaced (13)" in markdown  # the shared platform's (under its tenant heading where tenants exist)
    assert_left_alone(repo, allowed)


# removing a service ------------------------------------------------------------------------------


def removed_objects(stage: str) -> list[tuple[str, str]]:
    ns = f"agent-platform-{stage}"
    deleted = [
        f"ConfigMap {ns}/user-service-config",
        f"PersistentVolumeClaim {ns}/postgres-backup-users",
        f"Service {ns}/user-service",
        f"ServiceAccount {ns}/postgres-backup-users",
        f"ServiceAccount {ns}/user-service",
        f"Deployment {ns}/user-service",
        f"HorizontalPodAutoscaler {ns}/user-service",
        f"VerticalPodAutoscaler {ns}/user-service",
        f"CronJob {ns}/postgres-backup-users",
        f"ExternalSecret {ns}/jwt-signing-key",
        f"ExternalSecret {ns}/oauth2-client",
        f"ExternalSecret {ns}/postgres-users-credentials",
        f"ServiceMonitor {ns}/user-service",
        f"NetworkPolicy {ns}/postgres-backup-users",
        f"NetworkPolicy {ns}/user-service",
        f"PodDisruptionBudget {ns}/user-service",
    ]
    if stage == "dev":  # no VPA and no PDB in dev
        deleted = [d for d in deleted if not d.startswith(("VerticalPodAutoscaler", "PodDisruptionBudget"))]
    return [("delete", title) for title in deleted]


def test_removing_a_service_deletes_its_objects_and_blocks_on_prod(repo, service_removed):
    full, _ = service_removed
    assert full.result.code == 1
    assert full.result.err.startswith("blocked: prod: 16 replacement or deletions (")
    assert len(full.result.err.splitlines()) == 1
    for stage in STAGES:
        listed = changes(full.stage(stage))
        assert [c for c in listed if c[0] == "delete"] == removed_objects(stage)
        assert [c for c in listed if c[0] != "delete"] == [
            ("update", f"Ingress agent-platform-{stage}/agentflow"),
            ("update", f"NetworkPolicy agent-platform-{stage}/monitoring-service"),
        ]
    pdb = next(c for c in full.stage("prod")["changes"] if c["kind"] == "PodDisruptionBudget")
    assert pdb["risks"] == [
        {"risk": "disruption budget lowered", "path": "", "detail": "the PodDisruptionBudget is deleted"}
    ]
    assert table_row(full.texts["markdown"], "prod").startswith("| prod | 2026.11.4 | 0 | 2 | 0 | 0 | 16 |")
    assert "#### Deleted (16)" in full.texts["markdown"]
    assert_left_alone(repo, full)


def test_a_markdown_longer_than_the_cap_is_cut_with_a_note(repo, service_removed):
    full, cut = service_removed
    assert len(full.texts["markdown"]) > 1500 and CUT_NOTE not in full.texts["markdown"]
    markdown = cut.texts["markdown"]
    assert cut.result.code == 1
    assert len(markdown) <= 1500
    closing = markdown.rindex("</details>")
    assert markdown[closing:].startswith("</details>\n\n" + CUT_NOTE)
    assert markdown.rstrip().endswith("The full diff is in the preview's JSON (the workflow's artifact).")
    assert markdown.count("```") % 2 == 0, "the cut must not leave a code fence open"
    assert table_row(markdown, "prod").startswith("| prod | 2026.11.4 | 0 | 2 | 0 | 0 | 16 |")
    assert "```mermaid" in markdown and "<summary><b>prod</b>" in markdown
    assert "#### Deleted (16)" in markdown and "NetworkPolicy agent-platform-prod/user-service" not in markdown


# weakening ---------------------------------------------------------------------------------------


SC_PATH = "spec.template.spec.containers[agent].securityContext.readOnlyRootFilesystem"
SC_FLAG = f"securityContext relaxed: {SC_PATH} true -> false"
EGRESS_FLAG = "NetworkPolicy egress widened: spec.egress 1 new allowed peer/port pair"


def test_a_relaxed_security_context_and_a_widened_egress_are_flagged_in_text(repo, weakened):
    text, _ = weakened
    lines = text.result.out.splitlines()
    ns = "agent-platform-prod"
    assert block(lines, f"  restart  Deployment {ns}/agent-service") == [
        f"      Deployment {ns}/agent-service  {SC_PATH}  true -> false",
        f"      ! {SC_FLAG}",
    ]
    assert block(lines, f"  update   NetworkPolicy {ns}/agent-service") == [
        f'      NetworkPolicy {ns}/agent-service  spec.egress[4].ports[1]  + {{"port": 6380, "protocol": "TCP"}}',
        f"      ! {EGRESS_FLAG}",
    ]
    assert_left_alone(repo, text)


def test_a_relaxed_security_context_and_a_widened_egress_are_flagged_in_json_and_markdown(repo, weakened, rendered):
    _, rich = weakened
    prod = shared(rich.stage("prod"))  # the shared platform's; each tenant's instances below
    workloads = [c for c in prod["changes"] if c["kind"] in ("Deployment", "CronJob")]
    assert [c["kind"] for c in workloads].count("Deployment") == 13 and len(workloads) == 13 + 9
    for workload in workloads:
        (field,) = workload["changes"]
        assert field["path"].endswith(".securityContext.readOnlyRootFilesystem")
        assert (field["old"], field["new"]) == ("true", "false")
        assert workload["risks"] == [
            {"risk": "securityContext relaxed", "path": field["path"], "detail": "true -> false"}
        ]
    policies = [c for c in prod["changes"] if c["kind"] == "NetworkPolicy"]
    assert {c["resource"] for c in policies} == {
        f"NetworkPolicy agent-platform-prod/{name}"
        for name in ("agent-service", "task-service", "tool-service", "user-service", "tenant-service")
        + ("cost-service", "monitoring-service")
    }  # every redis client
    assert all(
        c["risks"]
        == [{"risk": "NetworkPolicy egress widened", "path": "spec.egress", "detail": "1 new allowed peer/port pair"}]
        for c in policies
    )
    assert len(prod["changes"]) == 13 + 9 + 7
    for change in of_tenants(rich.stage("prod")):  # the tenants' own workloads and redis clients alike
        assert change["kind"] in ("Deployment", "CronJob", "NetworkPolicy"), change["resource"]
        assert [r["risk"] for r in change["risks"]] in (["securityContext relaxed"], ["NetworkPolicy egress widened"])
    markdown = rich.texts["markdown"]
    assert (
        "  - :warning: **securityContext relaxed**: "
        "`spec.template.spec.containers[agent].securityContext.readOnlyRootFilesystem` true -> false"
    ) in markdown
    assert "  - :warning: **NetworkPolicy egress widened**: `spec.egress` 1 new allowed peer/port pair" in markdown
    # 29 weakenings in the shared platform; the read-only root filesystem rule is mandatory, so each
    # relaxed workload (22 of them in the shared platform) is a new failure that blocks.
    assert table_row(markdown, "prod") == expected_row(rich, "prod", ":x:")
    new = [f for f in rich.stage("prod")["policy"]["findings"] if f["new"] and f["enforcement"] == "mandatory"]
    owners = tenant_namespaces(rendered["prod"].manifests)
    assert len([f for f in new if f["resource_id"]["namespace"] not in owners]) == 22
    assert rich.result.code == 1
    assert rich.json()["blockers"] == [f"prod: {len(new)} mandatory policy or schema failures"]
    assert_left_alone(repo, rich)


# policy verdicts ---------------------------------------------------------------------------------


BACKUP_RPO = (
    "[backup-rpo] CronJob agent-platform-prod/postgres-backup-agents spec.schedule: is '0 2 * * *', up to 24 h "
    "between runs, must be at most 1 h between runs (the RPO)."
)


def test_a_violation_the_head_introduces_is_new_and_fails_the_preview(repo, daily_backup):
    run, _ = daily_backup
    assert run.result.code == 1
    assert f"  NEW MANDATORY {BACKUP_RPO}" in run.result.out.splitlines()
    assert run.result.err.startswith("blocked: prod: 9 mandatory policy or schema failures")
    findings = [f for f in run.stage("prod")["policy"]["findings"] if f["rule"] == "backup-rpo"]
    assert len(findings) == 9 and all(f["new"] for f in findings)
    assert run.stage("prod")["changes"] and all(c["kind"] == "CronJob" for c in run.stage("prod")["changes"])
    assert_left_alone(repo, run)


def test_a_violation_present_in_base_and_head_is_not_new(repo, daily_backup):
    _, same = daily_backup
    assert same.result.code == 1  # a mandatory rule still fails
    findings = [f for f in same.stage("prod")["policy"]["findings"] if f["rule"] == "backup-rpo"]
    assert len(findings) == 9 and not any(f["new"] for f in findings)
    assert same.stage("prod")["changes"] == []
    assert table_row(same.texts["markdown"], "prod") == "| prod | 2026.11.4 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | :x: |"
    assert "New policy findings" not in same.texts["markdown"]
    assert_left_alone(repo, same)


# redaction ---------------------------------------------------------------------------------------


def test_secret_like_values_never_appear_in_text_json_or_markdown(repo, secrets_in_config):
    text, rich = secrets_in_config
    for run in (text, rich):
        shown = run.everything()
        for value in (fake_key(1), fake_key(2), fake_password(1), fake_password(2)):
            assert value not in shown
        assert "(redacted)" in shown
        assert_left_alone(repo, run)
    assert set(rich.texts) == {"markdown", "json"}
    lines = text.result.out.splitlines()
    ns = "agent-platform-dev"
    assert (
        f"      Deployment {ns}/agent-service  spec.template.spec.containers[agent].env[DB_PASSWORD].value  "
        "(redacted) -> (redacted)"
    ) in lines
    assert (
        f"      Deployment {ns}/agent-service  spec.template.spec.containers[agent].env[LOG_LEVEL].value  info -> debug"
        in lines
    )
    assert (
        f"      Deployment {ns}/agent-service  spec.template.metadata.annotations['checksum/config']  config changed"
        in lines
    )


def test_a_config_file_diff_hides_the_secret_values_and_shows_the_others(secrets_in_config):
    text, rich = secrets_in_config
    config = next(c for c in rich.stage("dev")["changes"] if c["kind"] == "ConfigMap")
    assert config["changes"] == [
        {
            "path": "data['config.yaml']",
            "old": "20 lines",
            "new": "20 lines",
            "lines": [
                "@@ -9,3 +9,3 @@",
                " llm:",
                "-  api_key: (redacted)",
                "+  api_key: (redacted, changed)",  # rotated: the change shows, neither value
                "   max_retries: 3",
                "@@ -15,3 +15,3 @@",
                "   retry_backoff_seconds: 2",
                "-  temperature: 0.7",
                "+  temperature: 0.5",
                "   timeout_seconds: 60",
            ],
        }
    ]
    assert "        -  temperature: 0.7" in text.result.out.splitlines()
    assert "        +  api_key: (redacted, changed)" in text.result.out.splitlines()
    assert "  -  temperature: 0.7" in rich.texts["markdown"].splitlines()


# a base that does not render ---------------------------------------------------------------------


def test_a_base_stage_file_that_does_not_load_fails_cleanly(repo, broken_bases):
    (commit, run), _ = broken_bases
    assert run.result.code == 2
    assert run.result.out == ""
    assert f"rendering broken-stage ({commit[:12]}) with its own code failed" in run.result.err
    assert "retention" in run.result.err
    assert_left_alone(repo, run)
    assert run.before[2] == " M environments/dev.yaml\nM  environments/staging.yaml\n?? notes.txt\n"


def test_base_code_that_raises_fails_cleanly(repo, broken_bases):
    _, (commit, run) = broken_bases
    assert run.result.code == 2
    assert f"rendering broken-code ({commit[:12]}) with its own code failed" in run.result.err
    assert "RuntimeError: broken on purpose" in run.result.err
    assert_left_alone(repo, run)


def test_an_unknown_base_is_bad_input(repo, reset):
    reset()
    run = preview(repo, repo.path.parent / "unknown", "--base", "no-such-branch")
    assert run.result.code == 2
    assert "unknown git revision 'no-such-branch'" in run.result.err
    assert_left_alone(repo, run, renders=0)


# the protected stage -----------------------------------------------------------------------------


def test_a_replacement_in_dev_alone_does_not_block(repo, out, reset):
    reset()
    repo.edit("environments/dev.yaml", "  storage_size: 5Gi\n", "  storage_size: 5Gi\n  storage_class: fast\n")
    try:
        run = preview(repo, out / "dev-only", "--base", "main", "--stage", "dev", json="json")
    finally:
        reset()
    assert run.stage("dev")["counts"]["replace"] == 9  # the backup claims change storage class
    assert (run.result.code, run.result.err) == (0, "")


def test_a_failing_checkout_hook_leaves_no_worktree_behind(repo, out, reset):
    reset()
    hook = repo.path / ".git" / "hooks" / "post-checkout"
    hook.write_text("#!/bin/sh\necho 'git-lfs was not found on your path' >&2\nexit 2\n")
    hook.chmod(0o755)
    try:
        run = preview(repo, out / "hook", "--base", "main", "--stage", "dev", "--format", "text")
    finally:
        hook.unlink()
        for worktree in repo.worktrees()[1:]:
            repo.git("worktree", "remove", "--force", worktree)
        for folder in repo.scratch_folders():
            shutil.rmtree(repo.tmp / folder)
        reset()
    assert_left_alone(repo, run)
    assert run.result.code in (0, 2), run.result.err  # a clean result or bad input, not an internal error
