"""The lifecycle commands through the entry point: set-image, scale, stop, start, rollback.

Each validates the edited stage file, renders the stage before and after, refuses a change that
adds a mandatory policy failure, writes atomically with comments kept, and prints the diff it
caused. One temporary git repository serves the module; each scenario starts from its base commit.
"""

from __future__ import annotations

import pytest

from model.loader import load_environment
from pipeline import transaction
from pipeline.render import render_stage
from tests.conftest import ENVIRONMENTS, find
from tests.pipeline.gitrepo import GitRepo, build_repo
from tests.pipeline.test_promotion import (
    REGISTRY,
    Run,
    comments,
    edit_release,
    image,
    leftovers,
    no_traceback,
    parsed,
    release_of,
    reset,
    run,
    stage_texts,
    without,
)

NEW_AGENT = image("agent-service", "1.6.0")
NEW_TASK = image("task-service", "1.6.1")
STOPPED = "agent-platform.io/stopped"


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitRepo:
    return build_repo(tmp_path_factory.mktemp("lifecycle") / "repo")


@pytest.fixture(scope="module")
def base(repo) -> str:
    return repo.head()


def changed(record: Run) -> set[str]:
    return {name for name in record.after if record.after[name] != record.before[name]}


def changed_lines(record: Run, name: str) -> list[tuple[str, str]]:
    """(before, after) of each changed line of a file whose edit rewrote lines in place."""
    old, new = record.before[name].splitlines(), record.after[name].splitlines()
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def rows(out: str, prefix: str) -> list[str]:
    """The resource lines of a text diff that start with a rollout label (restart, DELETE, ...)."""
    return [line.strip() for line in out.splitlines() if line.startswith(f"  {prefix}")]


def rendered(repo: GitRepo, stage: str) -> list[dict]:
    return list(render_stage(load_environment(repo.path / "environments", stage)).manifests)


def every_instance(verb: str, kind: str, service: str, stage: str) -> list[str]:
    """The rows of a change to a service in a stage: the platform's instance and each tenant's own.

    A lifecycle command acts on the service in the stage, so every dedicated tenant's instance of
    it changes with the platform's (as promotion moves the release for all tenants at once).
    """
    env = load_environment(ENVIRONMENTS, stage)
    namespaces = [env.namespace_name] + [
        env.tenant_namespace_name(t) for t in env.tenants if service in {s.name for s in t.services}
    ]
    return sorted(f"{verb:<8} {kind} {namespace}/{service}" for namespace in namespaces)


def named(manifests: list[dict], kind: str, name: str) -> list[dict]:
    return [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]


# set-image -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def set_image_dev(repo, base) -> Run:
    reset(repo, base)
    return run(repo, "set-image", "agent-service", NEW_AGENT, "--stage", "dev", "--release", "2026.12.1")


def test_set_image_writes_the_image_and_the_release_id_only(set_image_dev):
    assert set_image_dev.result.code == 0, set_image_dev.result.err
    assert "wrote environments/dev.yaml" in set_image_dev.result.out
    assert changed(set_image_dev) == {"dev.yaml"}
    old, new = parsed(set_image_dev.before["dev.yaml"]), parsed(set_image_dev.after["dev.yaml"])
    assert new["release"]["images"] == {**old["release"]["images"], "agent-service": NEW_AGENT}
    assert new["release"]["version"] == "2026.12.1"
    assert new["release"]["config"] == old["release"]["config"]
    assert without(new, "release") == without(old, "release")
    assert [before.split(":")[0] for before, _ in changed_lines(set_image_dev, "dev.yaml")] == [
        "  version",
        "    agent-service",
    ]
    assert comments(set_image_dev.after["dev.yaml"]) == comments(set_image_dev.before["dev.yaml"])


def test_set_image_prints_a_rolling_restart_of_that_deployment(set_image_dev):
    out = set_image_dev.result.out
    assert out.startswith("dev now -> dev after set-image agent-service\n")
    assert sorted(rows(out, "restart")) == every_instance("restart", "Deployment", "agent-service", "dev")
    assert len(rows(out, "restart")) > 1  # dev hosts a tenant
    assert rows(out, "REPLACE") == rows(out, "DELETE") == rows(out, "create") == []
    old_digest = parsed(set_image_dev.before["dev.yaml"])["release"]["images"]["agent-service"].split(":")[-1]
    assert (
        "Deployment agent-platform-dev/agent-service  spec.template.spec.containers[agent].image  "
        f"1.5.0@sha256:{old_digest[:12]} -> 1.6.0@sha256:{NEW_AGENT.split(':')[-1][:12]}"
    ) in out
    assert "== dev (release 2026.11.5 -> 2026.12.1): " in out
    assert "OK: nothing blocks this change" in out


def test_set_image_into_an_unknown_stage_says_the_stage_is_unknown(repo, base):
    reset(repo, base)
    result = repo.run("set-image", "agent-service", NEW_AGENT, "--stage", "nosuch")
    assert result.code == 2
    assert "unknown stage 'nosuch'" in result.err and "new images enter" not in result.err


def test_set_image_elsewhere_needs_force(repo, base):
    reset(repo, base)
    before = stage_texts(repo)
    result = repo.run("set-image", "agent-service", NEW_AGENT, "--stage", "staging")
    assert result.code == 2
    assert "new images enter at dev, not staging" in result.err
    assert "set it in dev and promote it (pipeline promote), or pass --force" in result.err
    assert result.out == ""
    assert stage_texts(repo) == before


def test_set_image_with_force_writes_only_that_image(repo, base):
    reset(repo, base)
    record = run(repo, "set-image", "agent-service", NEW_AGENT, "--stage", "staging", "--force")
    assert record.result.code == 0, record.result.err
    assert changed(record) == {"staging.yaml"}
    old, new = parsed(record.before["staging.yaml"]), parsed(record.after["staging.yaml"])
    assert new["release"] == {**old["release"], "images": {**old["release"]["images"], "agent-service": NEW_AGENT}}
    assert new["release"]["version"] == old["release"]["version"]  # no --release: the id stays
    assert without(new, "release") == without(old, "release")
    assert len(changed_lines(record, "staging.yaml")) == 1


def test_a_malformed_image_exits_2_with_the_loaders_message(repo, base):
    reset(repo, base)
    before = stage_texts(repo)
    bad = f"{REGISTRY}/agent-service:Bad Tag"
    result = repo.run("set-image", "agent-service", bad, "--stage", "dev")
    assert result.code == 2
    lines = before["dev.yaml"].splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("    agent-service: "))
    assert (
        f"environments/dev.yaml:{line}:5: release.images.agent-service: '{bad}' is not an image reference "
        "(registry/repository:tag[@sha256:<64 hex>])"
    ) in result.err
    assert "hint: e.g. registry.example.com/team/app:1.2.3@sha256:<64 hex>" in result.err
    assert stage_texts(repo) == before
    no_traceback(result)


def test_set_image_of_an_unknown_service_exits_2(repo, base):
    reset(repo, base)
    result = repo.run("set-image", "no-such-service", NEW_AGENT, "--stage", "dev")
    assert result.code == 2
    assert "stage dev has no service 'no-such-service'" in result.err


def test_set_image_from_a_registry_the_stage_does_not_allow_is_refused(repo, base):
    reset(repo, base)
    before = stage_texts(repo)
    outside = "docker.io/someone/agent-service:1.6.0@sha256:" + "c" * 64
    result = repo.run("set-image", "agent-service", outside, "--stage", "dev")
    assert result.code == 1
    assert "refused: [image-registry] Deployment agent-platform-dev/agent-service" in result.err
    assert "environments/dev.yaml was not written" in result.err
    assert stage_texts(repo) == before


# scale ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixed_replicas(repo, base) -> tuple[Run, list[dict]]:
    reset(repo, base)
    record = run(repo, "scale", "cost-service", "--stage", "prod", "--replicas", "4")
    return record, rendered(repo, "prod")


def test_scale_to_fixed_replicas_turns_autoscaling_off(fixed_replicas):
    record, manifests = fixed_replicas
    assert record.result.code == 0, record.result.err
    assert changed(record) == {"prod.yaml"}
    old, new = parsed(record.before["prod.yaml"]), parsed(record.after["prod.yaml"])
    service = new["services"]["cost-service"]
    assert service["replicas"] == 4 and service["autoscaling"]["enabled"] is False
    assert without(new, "services") == without(old, "services")
    assert without(new["services"], "cost-service") == without(old["services"], "cost-service")
    assert comments(record.after["prod.yaml"]) == comments(record.before["prod.yaml"])
    assert find(manifests, "Deployment", "cost-service")["spec"]["replicas"] == 4
    assert named(manifests, "HorizontalPodAutoscaler", "cost-service") == []
    assert rows(record.result.out, "DELETE") == ["DELETE   HorizontalPodAutoscaler agent-platform-prod/cost-service"]
    assert "Deployment agent-platform-prod/cost-service  spec.replicas  + 4" in record.result.out


def test_scale_bounds_set_the_hpa(repo, base):
    reset(repo, base)
    record = run(repo, "scale", "cost-service", "--stage", "prod", "--min", "3", "--max", "12")
    assert record.result.code == 0, record.result.err
    autoscaling = parsed(record.after["prod.yaml"])["services"]["cost-service"]["autoscaling"]
    assert autoscaling == {"min_replicas": 3, "max_replicas": 12, "enabled": True}
    assert len(changed_lines(record, "prod.yaml")) == 1
    out = record.result.out
    assert "HorizontalPodAutoscaler agent-platform-prod/cost-service  spec.minReplicas  2 -> 3" in out
    assert "HorizontalPodAutoscaler agent-platform-prod/cost-service  spec.maxReplicas  10 -> 12" in out
    assert rows(out, "restart") == rows(out, "DELETE") == []


@pytest.mark.parametrize(
    ("argv", "rule", "resource"),
    [
        (
            ("agent-service", "--min", "3", "--max", "200"),
            "quota-fits-hpa-maxima",
            "ResourceQuota agent-platform-prod/quota",
        ),
        (
            ("task-service", "--min", "3", "--max", "20"),
            "pdb-coverage",
            "PodDisruptionBudget agent-platform-prod/task-service",
        ),
        (
            ("monitoring-service", "--replicas", "1"),
            "min-replicas",
            "Deployment agent-platform-prod/monitoring-service",
        ),
    ],
    ids=["quota", "pdb", "stage-minimum"],
)
def test_scale_refuses_bounds_that_break_a_mandatory_rule(repo, base, argv, rule, resource):
    reset(repo, base)
    before = (repo.path / "environments" / "prod.yaml").read_bytes()
    result = repo.run("scale", *argv, "--stage", "prod")
    assert result.code == 1
    assert f"refused: [{rule}] {resource}" in result.err
    assert "environments/prod.yaml was not written" in result.err
    assert f"NEW MANDATORY [{rule}] {resource}" in result.out
    assert (repo.path / "environments" / "prod.yaml").read_bytes() == before
    assert leftovers(repo) == [] and repo.status() == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--stage", "prod"), "give either --replicas N or both --min N and --max N"),
        (("--stage", "prod", "--replicas", "2", "--min", "1", "--max", "3"), "give either --replicas N or both"),
        (("--stage", "prod", "--min", "2"), "give either --replicas N or both --min N and --max N"),
        (("--stage", "prod", "--max", "4"), "give either --replicas N or both --min N and --max N"),
        (("--stage", "prod", "--replicas", "-1"), "-1 is negative"),
        (("--stage", "prod", "--min", "5", "--max", "3"), "min_replicas 5 is above max_replicas 3"),
        (
            (
                "--replicas",
                "2",
            ),
            "scale needs exactly one --stage",
        ),
        (("--stage", "prod", "--stage", "dev", "--replicas", "2"), "scale needs exactly one --stage"),
    ],
    ids=["nothing", "both", "min-only", "max-only", "negative", "min-above-max", "no-stage", "two-stages"],
)
def test_scale_refuses_bad_arguments_with_exit_2(repo, base, argv, message):
    reset(repo, base)
    before = stage_texts(repo)
    result = repo.run("scale", "cost-service", *argv)
    assert result.code == 2
    assert message in result.err
    assert stage_texts(repo) == before
    no_traceback(result)


def test_scale_with_a_non_number_is_a_usage_error(repo, base):
    reset(repo, base)
    with pytest.raises(SystemExit) as exited:
        repo.run("scale", "cost-service", "--stage", "prod", "--replicas", "many")
    assert exited.value.code == 2


# stop and start ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stop_start(repo, base) -> dict:
    """stop task-service in prod, render and check prod, try stop and scale again, start, try start again."""
    reset(repo, base)
    facts = {"original": repo.read("environments/prod.yaml")}
    facts["stop"] = run(repo, "stop", "task-service", "--stage", "prod")
    facts["manifests"] = rendered(repo, "prod")
    facts["check"] = repo.run("check", "--stage", "prod")
    facts["stop_again"] = run(repo, "stop", "task-service", "--stage", "prod")
    facts["scale_stopped"] = run(repo, "scale", "task-service", "--stage", "prod", "--replicas", "3")
    facts["start"] = run(repo, "start", "task-service", "--stage", "prod")
    facts["start_again"] = run(repo, "start", "task-service", "--stage", "prod")
    return facts


def test_stop_scales_to_zero_without_hpa_or_pdb(stop_start):
    stop = stop_start["stop"]
    assert stop.result.code == 0, stop.result.err
    assert changed(stop) == {"prod.yaml"}
    manifests = stop_start["manifests"]
    deployment = find(manifests, "Deployment", "task-service", "agent-platform-prod")
    assert deployment["spec"]["replicas"] == 0
    assert deployment["metadata"]["annotations"][STOPPED] == "true"
    assert named(manifests, "HorizontalPodAutoscaler", "task-service") == []  # no tenant's either
    assert named(manifests, "PodDisruptionBudget", "task-service") == []
    assert named(manifests, "HorizontalPodAutoscaler", "agent-service")  # the others are untouched
    assert sorted(rows(stop.result.out, "DELETE")) == sorted(
        every_instance("DELETE", "HorizontalPodAutoscaler", "task-service", "prod")
        + every_instance("DELETE", "PodDisruptionBudget", "task-service", "prod")
    )


def test_stop_remembers_the_previous_bounds_in_the_file(stop_start):
    stop = stop_start["stop"]
    old = parsed(stop.before["prod.yaml"])["services"]["task-service"]
    new = parsed(stop.after["prod.yaml"])["services"]["task-service"]
    assert new["stopped"] == {"replicas": None, "autoscaling": old["autoscaling"], "pdb": old["pdb"]}
    assert (new["replicas"], new["autoscaling"], new["pdb"]) == (0, {"enabled": False}, {"enabled": False})
    assert comments(stop.after["prod.yaml"]) == comments(stop.before["prod.yaml"])
    others = parsed(stop.before["prod.yaml"])
    assert without(parsed(stop.after["prod.yaml"]), "services") == without(others, "services")


def test_a_stopped_stage_still_passes_check(stop_start):
    check = stop_start["check"]
    assert check.code == 0, check.out + check.err
    assert check.out.startswith("PASS prod: ")
    assert "0 mandatory failures" in check.out


def test_stop_twice_and_scale_while_stopped_exit_2(stop_start):
    again, scaled = stop_start["stop_again"], stop_start["scale_stopped"]
    assert again.result.code == 2 and "task-service is already stopped in prod" in again.result.err
    assert scaled.result.code == 2 and "task-service is stopped in prod" in scaled.result.err
    assert again.after == again.before and scaled.after == scaled.before


def test_start_restores_the_file_byte_identically(stop_start):
    start = stop_start["start"]
    assert start.result.code == 0, start.result.err
    assert start.after["prod.yaml"] == stop_start["original"]
    assert sorted(rows(start.result.out, "create")) == sorted(
        every_instance("create", "HorizontalPodAutoscaler", "task-service", "prod")
        + every_instance("create", "PodDisruptionBudget", "task-service", "prod")
    )


def test_start_when_not_stopped_exits_2(stop_start):
    again = stop_start["start_again"]
    assert again.result.code == 2
    assert "task-service is not stopped in prod" in again.result.err
    assert again.after == again.before


def test_start_restores_the_last_service_of_a_block_byte_identically(repo, base):
    reset(repo, base)
    original = repo.read("environments/prod.yaml")
    assert repo.run("stop", "monitoring-service", "--stage", "prod").code == 0
    assert repo.run("start", "monitoring-service", "--stage", "prod").code == 0
    assert repo.read("environments/prod.yaml") == original


def test_start_restores_a_stage_file_that_did_not_mention_the_service(repo, base):
    reset(repo, base)
    original = repo.read("environments/dev.yaml")
    assert repo.run("stop", "agent-service", "--stage", "dev").code == 0
    assert repo.run("start", "agent-service", "--stage", "dev").code == 0
    assert repo.read("environments/dev.yaml") == original


# rollback ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def history(repo, base) -> dict:
    """Two set-image changes of dev, each committed; then the rollbacks."""
    reset(repo, base)
    facts = {"base": base}
    first = repo.run("set-image", "agent-service", NEW_AGENT, "--stage", "dev", "--release", "2026.12.1")
    assert first.code == 0, first.err
    facts["first"] = repo.commit("dev: agent-service 1.6.0")
    second = repo.run("set-image", "task-service", NEW_TASK, "--stage", "dev", "--release", "2026.12.2")
    assert second.code == 0, second.err
    facts["second"] = repo.commit("dev: task-service 1.6.1")
    facts["dry_run"] = run(repo, "rollback", "--stage", "dev", "--dry-run")
    facts["previous"] = run(repo, "rollback", "--stage", "dev")
    repo.restore()
    facts["to_base"] = run(repo, "rollback", "--stage", "dev", "--to", base)
    repo.restore()
    facts["nothing_earlier"] = run(repo, "rollback", "--stage", "staging")
    return facts


def test_rollback_restores_the_previous_release_exactly(history, repo):
    previous = history["previous"]
    assert previous.result.code == 0, previous.result.err
    assert (
        f"gate: PASS: rollback of dev to dev@{history['first'][:12]}: release 2026.12.1 into dev" in previous.result.out
    )
    assert changed(previous) == {"dev.yaml"}
    new = parsed(previous.after["dev.yaml"])
    assert new["release"] == release_of(repo, "dev", history["first"])
    assert new["release"] != release_of(repo, "dev", history["second"])
    assert without(new, "release") == without(parsed(previous.before["dev.yaml"]), "release")
    assert comments(previous.after["dev.yaml"]) == comments(previous.before["dev.yaml"])
    assert sorted(rows(previous.result.out, "restart")) == every_instance(
        "restart", "Deployment", "task-service", "dev"
    )


def test_rollback_to_a_revision_restores_that_release(history, repo):
    to_base = history["to_base"]
    assert to_base.result.code == 0, to_base.result.err
    new = parsed(to_base.after["dev.yaml"])
    assert new["release"] == release_of(repo, "dev", history["base"])
    assert to_base.after["dev.yaml"] == repo.git("show", f"{history['base']}:environments/dev.yaml")
    assert sorted(rows(to_base.result.out, "restart")) == sorted(
        every_instance("restart", "Deployment", "agent-service", "dev")
        + every_instance("restart", "Deployment", "task-service", "dev")
    )


def test_rollback_without_an_earlier_release_exits_2(history):
    nothing = history["nothing_earlier"]
    assert nothing.result.code == 2
    assert "staging has no earlier release in the history of environments/staging.yaml" in nothing.result.err
    assert "hint: name one with --to REV" in nothing.result.err
    assert nothing.after == nothing.before


def test_rollback_goes_through_the_promotion_gate(repo, base):
    """staging's previous release pinned agent-service by tag only: rolling back to it is blocked (image-digest)."""
    reset(repo, base)
    pinned = release_of(repo, "staging")["images"]["agent-service"]
    tagged = pinned.split("@")[0]
    edit_release(repo, "staging", lambda r: r["images"].__setitem__("agent-service", tagged), commit="by tag")
    edit_release(repo, "staging", lambda r: r["images"].__setitem__("agent-service", pinned), commit="pinned again")
    record = run(repo, "rollback", "--stage", "staging")
    assert record.result.code == 1
    assert "gate: FAIL: rollback of staging to staging@" in record.result.out
    assert (
        "  - Deployment agent-platform-staging/agent-service spec.template.spec.containers[agent].image: "
        f"mandatory policy image-digest: is '{tagged}'"
    ) in record.result.out
    assert record.after == record.before


def test_rollback_dry_run_writes_nothing(history):
    dry = history["dry_run"]
    assert dry.result.code == 0, dry.result.err
    assert "gate: PASS: rollback of dev" in dry.result.out and "wrote" not in dry.result.out
    assert dry.after == dry.before and dry.checkout_after == dry.checkout_before


# dry runs and atomic writes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("set-image", "agent-service", NEW_AGENT, "--stage", "dev"),
        ("scale", "cost-service", "--stage", "prod", "--replicas", "4"),
        ("stop", "task-service", "--stage", "prod"),
    ],
    ids=["set-image", "scale", "stop"],
)
def test_dry_run_writes_nothing(repo, base, argv):
    reset(repo, base)
    record = run(repo, *argv, "--dry-run")
    assert record.result.code == 0, record.result.err
    stage = argv[argv.index("--stage") + 1]
    assert f"dry run: environments/{stage}.yaml was not written" in record.result.out
    assert "OK: nothing blocks this change" in record.result.out
    assert record.after == record.before and repo.status() == ""


@pytest.mark.parametrize(
    "argv",
    [("scale", "cost-service", "--stage", "prod", "--replicas", "4"), ("stop", "task-service", "--stage", "prod")],
    ids=["scale", "stop"],
)
def test_an_interrupted_lifecycle_write_leaves_the_file_byte_identical(repo, base, argv):
    """A failure before the journal is whole on disk (the commit point) changes nothing."""
    reset(repo, base)
    before = (repo.path / "environments" / "prod.yaml").read_bytes()
    original = transaction._write_durably

    def fail_on_journal(path, *args, **kwargs):
        if path.name == transaction.JOURNAL:
            raise OSError(5, "Input/output error")
        return original(path, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PIPELINE_DEBUG", raising=False)
        patch.setattr(transaction, "_write_durably", fail_on_journal)
        result = repo.run(*argv)
    assert result.code == 2
    assert f"pipeline {argv[0]}: Input/output error" in result.err
    no_traceback(result)
    assert (repo.path / "environments" / "prod.yaml").read_bytes() == before
    assert leftovers(repo) == [] and repo.status() == ""


def test_a_failure_between_the_swaps_undoes_the_ones_made(repo, base):
    """The stage file is swapped first; when rendered/prod/ then fails, the stage file goes back too."""
    reset(repo, base)
    before = (repo.path / "environments" / "prod.yaml").read_bytes()
    original = transaction.os.replace
    calls: list[str] = []

    def fail_on_the_tree(source, target):
        calls.append(str(target))
        if str(target).endswith("rendered/prod") and calls.count(str(target)) == 1:
            raise OSError(5, "Input/output error")
        return original(source, target)

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PIPELINE_DEBUG", raising=False)
        patch.setattr(transaction.os, "replace", fail_on_the_tree)
        result = repo.run("scale", "cost-service", "--stage", "prod", "--replicas", "4")
    assert result.code == 2
    assert "Input/output error" in result.err
    assert calls[0].endswith("environments/prod.yaml"), "the stage file must have been swapped first"
    no_traceback(result)
    assert (repo.path / "environments" / "prod.yaml").read_bytes() == before
    assert leftovers(repo) == [] and repo.status() == ""
    check = repo.run("render", "--check")
    assert check.code == 0, check.out
