"""pipeline gate --base REF and pipeline status, in a temporary git repository.

The gate runs in CI on a pull request: the checkout is the pull request's head and --base its
base commit. Each scenario starts from the base commit, makes the pull request on a branch (by
the pipeline's own commands where there is one, by hand where the point is a hand edit), commits
it and runs the gate; status is read at the same points.
"""

from __future__ import annotations

import json

import pytest

from model.loader import load_environment
from tests.conftest import ENVIRONMENTS
from tests.pipeline.gitrepo import GitRepo, Result, build_repo
from tests.pipeline.test_promotion import PROD_RELEASE, STAGING_RELEASE, edit_release, image, release_of, reset

NEW_AGENT = image("agent-service", "1.6.0")
SPLIT = (
    "mixes a release change with stage-owned changes (services.monitoring-service.autoscaling.min_replicas): "
    "split it into two pull requests, the promotion alone and the stage-owned change alone"
)
SERVICES = (
    "agent-service",
    "compression-service",
    "cost-service",
    "data-service",
    "evaluation-service",
    "fine-tuning-service",
    "hpo-service",
    "model-serving",
    "monitoring-service",
    "task-service",
    "tenant-service",
    "tool-service",
    "user-service",
)
MONITORING_MIN = (
    "    autoscaling: {min_replicas: 2, max_replicas: 4}\n",
    "    autoscaling: {min_replicas: 3, max_replicas: 4}\n",
)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitRepo:
    return build_repo(tmp_path_factory.mktemp("gate") / "repo")


@pytest.fixture(scope="module")
def base(repo) -> str:
    return repo.head()


def pull_request(repo: GitRepo, base: str, name: str) -> None:
    reset(repo, base)
    repo.git("checkout", "-q", "-b", name)


def gate_lines(result: Result) -> list[str]:
    return result.out.splitlines()


def status_json(repo: GitRepo) -> dict[str, dict]:
    result = repo.run("status", "--format", "json")
    assert result.code == 0, result.err
    return {entry["stage"]: entry for entry in json.loads(result.out)}


# scenarios -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean_promotion(repo, base) -> dict:
    """promote staging prod --write, committed on a branch; the gate against the base commit."""
    reset(repo, base)
    facts = {"status_before": repo.run("status")}
    pull_request(repo, base, "pr/promote-prod")
    promote = repo.run("promote", "staging", "prod", "--write")
    assert promote.code == 0, promote.out + promote.err
    facts["head"] = repo.commit("Promote release 2026.11.5 from staging to prod")
    facts["gate"] = repo.run("gate", "--base", base)
    facts["status_after"] = repo.run("status")
    facts["status_json_after"] = status_json(repo)
    # the same pull request with a stage-owned change to prod added
    repo.edit("environments/prod.yaml", *MONITORING_MIN, commit="prod: monitoring-service at 3")
    facts["mixed"] = repo.run("gate", "--base", base)
    facts["mixed_json"] = repo.run("gate", "--base", base, "--format", "json")
    return facts


@pytest.fixture(scope="module")
def hand_edited(repo, base) -> dict:
    """prod's release made staging's by hand, with one image that staging does not run: a hotfix."""
    pull_request(repo, base, "pr/hand-edit")
    staging = release_of(repo, "staging")

    def copy_with_hotfix(release):
        release["version"] = staging["version"]
        for service, reference in staging["images"].items():
            release["images"][service] = reference
        release["images"]["agent-service"] = image("agent-service", "1.5.0-hotfix")

    edit_release(repo, "prod", copy_with_hotfix, commit="prod: release 2026.11.5 with an agent-service hotfix")
    return {
        "gate": repo.run("gate", "--base", base),
        "approved": repo.run("gate", "--base", base, "--approve-hotfix", "prod"),
        "wrong_stage": repo.run("gate", "--base", base, "--approve-hotfix", "staging"),
    }


@pytest.fixture(scope="module")
def new_release(repo, base) -> dict:
    """set-image in dev, committed on a branch; the gate and status."""
    pull_request(repo, base, "pr/dev-agent")
    set_image = repo.run("set-image", "agent-service", NEW_AGENT, "--stage", "dev", "--release", "2026.12.1")
    assert set_image.code == 0, set_image.out + set_image.err
    repo.commit("dev: agent-service 1.6.0")
    return {"gate": repo.run("gate", "--base", base), "status": repo.run("status"), "json": status_json(repo)}


# gate ----------------------------------------------------------------------------------------------------


def test_gate_accepts_a_clean_promotion(clean_promotion):
    gate = clean_promotion["gate"]
    assert gate.code == 0, gate.out + gate.err
    assert gate_lines(gate) == [
        "PASS dev: unchanged",
        "PASS staging: unchanged",
        f"PASS prod: promotion (release {PROD_RELEASE} -> {STAGING_RELEASE})",
    ]


def test_gate_rejects_a_promotion_mixed_with_a_stage_owned_change(clean_promotion):
    mixed = clean_promotion["mixed"]
    assert mixed.code == 1
    lines = gate_lines(mixed)
    assert lines[:3] == [
        "PASS dev: unchanged",
        "PASS staging: unchanged",
        f"FAIL prod: promotion (release {PROD_RELEASE} -> {STAGING_RELEASE})",
    ]
    assert f"  - {SPLIT}" in lines
    assert (
        "  - HorizontalPodAutoscaler agent-platform-prod/monitoring-service: spec.minReplicas differ and are not "
        "release-derived (stage-owned settings: change them in their own pull request)"
    ) in lines


def test_gate_json_reports_the_same_verdicts(clean_promotion):
    result = clean_promotion["mixed_json"]
    assert result.code == 1
    report = json.loads(result.out)
    assert report["passed"] is False
    assert [(s["stage"], s["kind"], s["passed"]) for s in report["stages"]] == [
        ("dev", "unchanged", True),
        ("staging", "unchanged", True),
        ("prod", "promotion", False),
    ]
    prod = report["stages"][2]
    assert prod["problems"][0] == SPLIT
    assert prod["notes"] == [f"release {PROD_RELEASE} -> {STAGING_RELEASE}"]
    # the 13 shared Deployments and every tenant's own instances: the release moves for all tenants at once
    tenant_instances = sum(len(t.services) for t in load_environment(ENVIRONMENTS, "prod").tenants)
    assert tenant_instances and prod["counts"]["restart"] == 13 + tenant_instances and prod["counts"]["delete"] == 0


def test_gate_refuses_a_hotfix_without_the_approval(hand_edited):
    """A release that is neither staging's nor one prod ran before is a hotfix: refused unless approved."""
    refused = hand_edited["gate"]
    assert refused.code == 1
    lines = gate_lines(refused)
    assert f"FAIL prod: hotfix (release {PROD_RELEASE} -> {STAGING_RELEASE})" in lines
    assert (
        "  - the release is neither staging's (it differs at release.images.agent-service) nor one prod ran before: "
        "that is a hotfix, refused without an approval; promote with `pipeline promote staging prod`, roll back with "
        "`pipeline rollback --stage prod`, or have the hotfix approved (label `hotfix` and the prod environment's "
        "reviewers; `pipeline gate --approve-hotfix prod`)"
    ) in lines
    assert not any("mixes" in line for line in lines)


def test_gate_accepts_an_approved_hotfix_and_names_it(hand_edited):
    approved = hand_edited["approved"]
    assert approved.code == 0, approved.out + approved.err
    assert gate_lines(approved) == [
        "PASS dev: unchanged",
        "PASS staging: unchanged",
        f"PASS prod: hotfix (release {PROD_RELEASE} -> {STAGING_RELEASE}; approved hotfix: release "
        f"{STAGING_RELEASE} is not staging's)",
    ]
    # the approval is for one stage: approving staging's does not let prod's through
    assert hand_edited["wrong_stage"].code == 1


def test_gate_approval_of_an_unknown_stage_is_bad_input(repo, base):
    reset(repo, base)
    result = repo.run("gate", "--base", base, "--approve-hotfix", "qa")
    assert result.code == 2
    assert "unknown stage 'qa'" in result.err and "are dev, staging, prod" in result.err


def test_gate_reports_stage_owned_changes_as_allowed(repo, base):
    pull_request(repo, base, "pr/prod-sizing")
    repo.edit("environments/prod.yaml", *MONITORING_MIN, commit="prod: monitoring-service at 3")
    result = repo.run("gate", "--base", base)
    assert result.code == 0, result.out + result.err
    assert gate_lines(result) == [
        "PASS dev: unchanged",
        "PASS staging: unchanged",
        "PASS prod: stage-owned (stage-owned change: services.monitoring-service.autoscaling.min_replicas)",
    ]


def test_gate_reports_a_shared_default_change_in_every_stage(repo, base):
    pull_request(repo, base, "pr/scrape")
    repo.edit(
        "environments/defaults.yaml",
        "  scrape_interval_seconds: 15\n",
        "  scrape_interval_seconds: 30\n",
        commit="defaults: scrape every 30 s",
    )
    result = repo.run("gate", "--base", base)
    assert result.code == 0, result.out + result.err
    note = "(stage-owned change: defaults.yaml: monitoring.scrape_interval_seconds)"
    assert gate_lines(result) == [f"PASS {stage}: stage-owned {note}" for stage in ("dev", "staging", "prod")]


def test_gate_passes_a_new_release_in_the_first_stage(new_release):
    gate = new_release["gate"]
    assert gate.code == 0, gate.out + gate.err
    assert gate_lines(gate) == [
        "PASS dev: new release (release 2026.11.5 -> 2026.12.1)",
        "PASS staging: unchanged",
        "PASS prod: unchanged",
    ]


def test_gate_fails_a_new_release_that_breaks_a_mandatory_policy(repo, base):
    pull_request(repo, base, "pr/dev-outside-image")
    outside = "docker.io/someone/agent-service:1.6.0@sha256:" + "c" * 64
    edit_release(repo, "dev", lambda r: r["images"].__setitem__("agent-service", outside), commit="dev: outside image")
    result = repo.run("gate", "--base", base)
    assert result.code == 1
    lines = gate_lines(result)
    assert lines[0] == "FAIL dev: new release (release 2026.11.5 -> 2026.11.5)"
    # the same form as a promotion's problems: the resource and field first, then the rule
    assert any(
        line.startswith("  - Deployment agent-platform-dev/agent-service spec.template.spec.containers[agent].image: ")
        and "mandatory policy image-registry: " in line
        and outside in line
        for line in lines
    )


def test_gate_rejects_a_pull_request_that_promotes_two_stages_at_once(repo, base):
    reset(repo, base)
    edit_release(
        repo,
        "dev",
        lambda r: (r.__setitem__("version", "2026.12.1"), r["images"].__setitem__("agent-service", NEW_AGENT)),
        commit="dev: agent-service 1.6.0",
    )
    merged = repo.head()
    dev = release_of(repo, "dev")
    repo.git("checkout", "-q", "-b", "pr/skip-staging")

    def take_devs(release):
        release["version"] = dev["version"]
        for service, reference in dev["images"].items():
            release["images"][service] = reference

    for stage in ("staging", "prod"):
        edit_release(repo, stage, take_devs)
    repo.commit("staging and prod: release 2026.12.1")
    result = repo.run("gate", "--base", merged)
    assert result.code == 1
    # prod takes a release staging has not merged yet and prod never ran: that is a hotfix
    assert any(line.startswith("FAIL prod: hotfix") for line in gate_lines(result))


# status --------------------------------------------------------------------------------------------------


def test_status_lists_the_stages_in_order_and_prod_behind_staging(clean_promotion):
    out = clean_promotion["status_before"].out
    lines = out.splitlines()
    assert lines[0].split() == ["stage", "release", "upstream", "state"]
    assert lines[1].split() == ["dev", STAGING_RELEASE, "-", "first", "stage"]
    assert lines[2].split() == ["staging", STAGING_RELEASE, "dev", STAGING_RELEASE, "up", "to", "date"]
    assert lines[3].split() == ["prod", PROD_RELEASE, "staging", STAGING_RELEASE, "behind:", "13", "images", "differ"]
    assert lines[4:] == [f"    {service}: 1.4.2 (upstream 1.5.0)" for service in SERVICES]


def test_status_is_up_to_date_after_the_promotion(clean_promotion):
    lines = clean_promotion["status_after"].out.splitlines()
    assert lines[3].split() == ["prod", STAGING_RELEASE, "staging", STAGING_RELEASE, "up", "to", "date"]
    assert len(lines) == 4
    prod = clean_promotion["status_json_after"]["prod"]
    assert prod["behind"] is False and prod["differing"] == []


def test_status_names_the_one_service_a_new_image_makes_differ(new_release):
    lines = new_release["status"].out.splitlines()
    assert lines[2].split()[-4:] == ["behind:", "1", "images", "differ"]
    assert lines[3] == "    agent-service: 1.5.0 (upstream 1.6.0)"
    assert lines[4].split()[0] == "prod"
    staging = new_release["json"]["staging"]
    assert staging["behind"] is True
    assert (staging["release"], staging["upstream_release"]) == (STAGING_RELEASE, "2026.12.1")
    assert staging["differing"] == [["agent-service", "1.5.0", "1.6.0"]]


def test_status_json(repo, base):
    reset(repo, base)
    statuses = status_json(repo)
    assert list(statuses) == ["dev", "staging", "prod"]
    assert statuses["dev"] == {
        "stage": "dev",
        "release": STAGING_RELEASE,
        "upstream": None,
        "upstream_release": None,
        "differing": [],
        "behind": False,
    }
    assert statuses["staging"]["behind"] is False and statuses["staging"]["upstream"] == "dev"
    prod = statuses["prod"]
    assert (prod["upstream"], prod["upstream_release"], prod["behind"]) == ("staging", STAGING_RELEASE, True)
    assert prod["differing"] == [[service, "1.4.2", "1.5.0"] for service in SERVICES]


def test_status_markdown_has_a_table_and_a_mermaid_diagram(repo, base):
    reset(repo, base)
    result = repo.run("status", "--format", "markdown")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[:4] == [
        "| stage | release | upstream | state | images that differ |",
        "|---|---|---|---|---|",
        f"| dev | {STAGING_RELEASE} | — | first stage | — |",
        f"| staging | {STAGING_RELEASE} | dev {STAGING_RELEASE} | up to date | — |",
    ]
    assert lines[4].startswith(f"| prod | {PROD_RELEASE} | staging {STAGING_RELEASE} | **behind** | agent-service ")
    assert "agent-service 1.4.2 (upstream 1.5.0)" in lines[4]
    diagram = result.out.split("```mermaid\n", 1)[1].split("```", 1)[0].splitlines()
    assert diagram == [
        "flowchart LR",
        f'  dev["dev<br/>{STAGING_RELEASE}"]',
        f'  staging["staging<br/>{STAGING_RELEASE}"]',
        f'  prod["prod<br/>{PROD_RELEASE}"]',
        "  dev --> staging",
        "  staging -. behind .-> prod",
    ]


def test_status_markdown_names_the_services_whose_images_differ(repo, base):
    reset(repo, base)
    result = repo.run("status", "--format", "markdown")
    assert all(service in result.out for service in SERVICES)
