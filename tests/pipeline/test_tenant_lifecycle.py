"""pipeline tenant add / remove through the entry point, on a copy of the repository's stage files.

Adding a tenant is one stage-file edit: one new line in the stage's `tenants` (the mapping created
where the file has none), every other byte of the file kept, validated, rendered and previewed as
creates only, all in the tenant's own namespace. Removing one deletes that namespace and
everything in it, so it is written only with --yes. Bad input exits 2 naming the file and the key.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from model.loader import load_environment
from pipeline.cli import main
from pipeline.diff.engine import diff_stage
from pipeline.diff.model import RolloutClass
from pipeline.render import render_stage
from tests.conftest import ENVIRONMENTS
from tests.pipeline.gitrepo import Result
from tests.pipeline.test_promotion import comments, no_traceback, parsed

NEW = "hooli"
PROD_TENANTS = (
    "tenants:\n  acme: {plan: enterprise}\n  globex: {plan: standard}\n  initech: {plan: small, features: [sso]}\n\n"
)
STAGING_TENANTS = "tenants:\n  demo: {plan: small}\n  acme-qa: {plan: standard}\n\n"
COMMENTED_TENANTS = """\
# Dedicated tenants of prod.
tenants:
  # signed 2026-01
  acme: {plan: enterprise}            # the first
  # globex pays yearly

  globex: {plan: standard}
  initech:
    plan: small                       # until the renewal
    features: [sso]
  # more to come

# training below
"""


@dataclass
class Run:
    """One command: what it printed, and the stage files before and after."""

    result: Result
    before: dict[str, str]
    after: dict[str, str]


def copy_of_environments(root: Path) -> Path:
    """root/environments: a writable copy of the repository's stage files (the schema symlink resolved)."""
    shutil.copytree(ENVIRONMENTS, root / "environments", symlinks=False)
    return root / "environments"


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new))


def texts(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((root / "environments").glob("*.yaml"))}


def cli(root: Path, *argv: str) -> Run:
    """pipeline.cli.main(argv) in root (so the stage files are environments/<stage>.yaml), output captured."""
    before = texts(root)
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.delenv("PIPELINE_DEBUG", raising=False)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
    return Run(Result(code, out.getvalue(), err.getvalue()), before, texts(root))


def inserted(before: str, after: str) -> list[str]:
    """The lines after adds to before; fails the test if it changed or removed any line of before."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    assert [tag for tag, *_ in opcodes if tag not in ("equal", "insert")] == [], "lines of the file changed"
    return [line for tag, _, _, j1, j2 in opcodes if tag == "insert" for line in new[j1:j2]]


def removed(before: str, after: str) -> list[str]:
    """The lines after lacks from before; fails the test if anything else changed."""
    return inserted(after, before)


def changed_files(record: Run) -> set[str]:
    return {name for name in record.after if record.after[name] != record.before[name]}


def rows(out: str, label: str) -> list[str]:
    """The resource lines of the printed diff with a rollout label (create, update, restart, DELETE, ...)."""
    return [line.strip() for line in out.splitlines() if line.startswith(f"  {label} ")]


# tenant add ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def added(tmp_path_factory) -> dict:
    """`tenant add hooli --plan standard --stage prod` on a copy; prod loaded before and after."""
    root = tmp_path_factory.mktemp("tenant-add")
    directory = copy_of_environments(root)
    before = load_environment(directory, "prod")
    record = cli(root, "tenant", "add", NEW, "--plan", "standard", "--stage", "prod")
    after = load_environment(directory, "prod") if record.result.code == 0 else None
    return {"root": root, "record": record, "before": before, "after": after}


def test_add_writes_one_entry_and_keeps_every_other_byte(added):
    record = added["record"]
    assert record.result.code == 0, record.result.err
    assert "wrote environments/prod.yaml" in record.result.out
    assert changed_files(record) == {"prod.yaml"}
    before, after = record.before["prod.yaml"], record.after["prod.yaml"]
    assert inserted(before, after) == [f"  {NEW}: {{plan: standard}}\n"]
    lines = after.splitlines()
    assert lines[lines.index(f"  {NEW}: {{plan: standard}}") - 1] == "  initech: {plan: small, features: [sso]}"
    assert comments(after) == comments(before)
    old, new = parsed(before), parsed(after)
    assert new["tenants"] == {**old["tenants"], NEW: {"plan": "standard"}}
    assert list(new["tenants"])[:-1] == list(old["tenants"])


def test_the_edited_stage_loads_with_the_new_tenant(added):
    after = added["after"]
    assert after is not None
    tenant = next(t for t in after.tenants if t.name == NEW)
    assert tenant.plan == "standard"
    assert [t.name for t in after.tenants] == [*(t.name for t in added["before"].tenants), NEW]


def test_add_prints_the_change_and_its_verdict(added):
    out = added["record"].result.out
    assert out.startswith(f"prod now -> prod after tenant add {NEW}\n")
    assert "OK: nothing blocks this change" in out
    assert added["record"].result.err == ""


def test_adding_a_tenant_is_one_stage_file_edit_that_validates_renders_and_previews_as_creates_only(added):
    """The issue's acceptance test: the stage before and after `tenant add` differ by creates only,
    at least one, and every created resource is the tenant's namespace, lives in it, or is the
    tenant's registry entry (the ConfigMap tenant-service reads; no shared object changes)."""
    assert added["record"].result.code == 0, added["record"].result.err
    assert changed_files(added["record"]) == {"prod.yaml"}
    namespace = f"tenant-{NEW}-prod"
    old = list(render_stage(added["before"]).manifests)
    new = list(render_stage(added["after"]).manifests)
    diff = diff_stage("prod", old, new)
    assert [f"{c.rollout.value} {c.resource_id}" for c in diff.changes if c.rollout is not RolloutClass.CREATE] == []
    created = diff.of(RolloutClass.CREATE)
    assert len(created) >= 1
    registry_entry = ("ConfigMap", "agent-platform-prod", f"tenant-{NEW}")
    outside = [
        str(c.resource_id)
        for c in created
        if c.resource_id.namespace != namespace
        and (c.resource_id.kind, c.resource_id.name) != ("Namespace", namespace)
        and (c.resource_id.kind, c.resource_id.namespace, c.resource_id.name) != registry_entry
    ]
    assert outside == []
    assert any((c.resource_id.kind, c.resource_id.namespace, c.resource_id.name) == registry_entry for c in created)
    assert any(c.resource_id.kind == "Namespace" and c.resource_id.name == namespace for c in created)
    out = added["record"].result.out  # the printed preview says the same
    assert f"create   Namespace {namespace}" in rows(out, "create")
    assert [row for label in ("update", "restart", "REPLACE", "DELETE") for row in rows(out, label)] == []


def test_add_dry_run_writes_nothing(tmp_path):
    copy_of_environments(tmp_path)
    record = cli(tmp_path, "tenant", "add", NEW, "--plan", "small", "--stage", "dev", "--dry-run")
    assert record.result.code == 0, record.result.err
    assert record.result.out.startswith(f"dev now -> dev after tenant add {NEW}\n")
    assert "dry run: environments/dev.yaml was not written" in record.result.out
    assert "wrote" not in record.result.out
    assert record.after == record.before
    assert sorted(p.name for p in (tmp_path / "environments").iterdir() if p.name.startswith(".")) == []


def test_add_creates_the_tenants_mapping_where_the_stage_file_has_none(tmp_path):
    directory = copy_of_environments(tmp_path)
    rewrite(directory / "staging.yaml", STAGING_TENANTS, "")
    record = cli(tmp_path, "tenant", "add", NEW, "--plan", "small", "--stage", "staging")
    assert record.result.code == 0, record.result.err
    before, after = record.before["staging.yaml"], record.after["staging.yaml"]
    assert sorted(inserted(before, after)) == sorted(["\n", "tenants:\n", f"  {NEW}: {{plan: small}}\n"])
    assert f"\n\ntenants:\n  {NEW}: {{plan: small}}\n\ntraining:\n" in after  # where defaults.yaml has it
    assert comments(after) == comments(before)
    assert parsed(after)["tenants"] == {NEW: {"plan": "small"}}
    assert [t.name for t in load_environment(directory, "staging").tenants] == [NEW]


def test_add_keeps_the_comments_of_the_tenants_mapping(tmp_path):
    directory = copy_of_environments(tmp_path)
    rewrite(directory / "prod.yaml", PROD_TENANTS, COMMENTED_TENANTS)
    record = cli(tmp_path, "tenant", "add", NEW, "--plan", "standard", "--stage", "prod")
    assert record.result.code == 0, record.result.err
    before, after = record.before["prod.yaml"], record.after["prod.yaml"]
    assert inserted(before, after) == [f"  {NEW}: {{plan: standard}}\n"]
    assert comments(after) == comments(before)
    assert parsed(after)["tenants"] == {**parsed(before)["tenants"], NEW: {"plan": "standard"}}


def test_add_into_an_empty_tenants_mapping(tmp_path):
    directory = copy_of_environments(tmp_path)
    rewrite(directory / "dev.yaml", "tenants:\n  demo: {plan: small}\n", "tenants: {}   # none yet\n")
    record = cli(tmp_path, "tenant", "add", NEW, "--plan", "small", "--stage", "dev")
    assert record.result.code == 0, record.result.err
    before, after = record.before["dev.yaml"], record.after["dev.yaml"]
    assert parsed(after)["tenants"] == {NEW: {"plan": "small"}}
    assert comments(after) == comments(before)
    assert len(after.splitlines()) == len(before.splitlines()) + 1


# bad input ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def untouched(tmp_path_factory) -> Path:
    """A copy that the refused commands run on (none of them may write)."""
    root = tmp_path_factory.mktemp("tenant-refused")
    copy_of_environments(root)
    return root


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ("add", "acme", "--plan", "small", "--stage", "prod"),
            [
                "environments/prod.yaml:120:3: tenants.acme: tenant 'acme' already exists in prod",
                "hint: pipeline tenant remove acme --stage prod first, or edit its entry in environments/prod.yaml",
            ],
        ),
        (
            ("add", NEW, "--plan", "gold", "--stage", "prod"),
            [
                f"environments/prod.yaml:119:1: tenants.{NEW}.plan: unknown plan 'gold'",
                "hint: known plans: enterprise, small, standard (defined in environments/defaults.yaml)",
            ],
        ),
        (
            ("add", "Hooli_Inc", "--plan", "small", "--stage", "prod"),
            [
                "environments/prod.yaml:119:1: tenants.Hooli_Inc: 'Hooli_Inc' is not a valid tenant name",
                "hint: a DNS-1123 label: lower-case letters, digits and '-'",
            ],
        ),
        (
            ("add", "acme-", "--plan", "small", "--stage", "prod"),
            ["environments/prod.yaml:119:1: tenants.acme-: 'acme-' is not a valid tenant name"],
        ),
        (
            ("add", "a" * 52, "--plan", "small", "--stage", "prod"),
            [
                f"environments/prod.yaml:119:1: tenants.{'a' * 52}: the tenant's namespace tenant-{'a' * 52}-prod "
                "would be 64 characters, over 63",
                "hint: a tenant name in prod has at most 51 characters",
            ],
        ),
        (
            ("add", NEW, "--plan", "small", "--stage", "qa"),
            [
                f"tenants.{NEW}: unknown stage 'qa': no stage file environments/qa.yaml",
                "hint: the stages in environments/stages.yaml are dev, staging, prod",
            ],
        ),
        (
            ("remove", "nobody", "--stage", "prod"),
            [
                "environments/prod.yaml:119:1: tenants.nobody: stage prod has no tenant 'nobody'",
                "hint: the tenants of prod: acme, globex, initech",
            ],
        ),
        (
            ("remove", "acme", "--stage", "qa"),
            ["tenants.acme: unknown stage 'qa': no stage file environments/qa.yaml"],
        ),
        (("add", NEW, "--plan", "small"), ["tenant add needs exactly one --stage"]),
    ],
    ids=[
        "duplicate",
        "unknown-plan",
        "bad-name",
        "trailing-dash",
        "namespace-too-long",
        "unknown-stage",
        "remove-unknown-tenant",
        "remove-unknown-stage",
        "no-stage",
    ],
)
def test_bad_input_exits_2_naming_the_file_and_the_key(untouched, argv, expected):
    record = cli(untouched, "tenant", *argv)
    assert record.result.code == 2, record.result.out + record.result.err
    assert record.result.err.startswith(f"pipeline tenant {argv[0]}: invalid input\n")
    for text in expected:
        assert text in record.result.err
    assert record.result.out == ""
    assert record.after == record.before
    no_traceback(record.result)


def test_the_longest_name_whose_objects_kubernetes_accepts_is_accepted(tmp_path):
    """agent-service-<tenant>-prod is the longest label value a tenant's name goes into: 63 characters at most."""
    copy_of_environments(tmp_path)
    longest = 63 - len("agent-service--prod")
    record = cli(tmp_path, "tenant", "add", "a" * longest, "--plan", "small", "--stage", "prod", "--dry-run")
    assert record.result.code == 0, record.result.err
    assert record.after == record.before


def test_a_name_that_fits_the_namespace_but_not_the_labels_is_refused_naming_the_label(tmp_path):
    copy_of_environments(tmp_path)
    name = "a" * (64 - len("agent-service--prod"))
    record = cli(tmp_path, "tenant", "add", name, "--plan", "small", "--stage", "prod", "--dry-run")
    assert record.result.code == 1
    assert f"metadata.labels.app.kubernetes.io/instance: 'agent-service-{name}-prod' is not a valid label value" in (
        record.result.err
    )
    assert record.after == record.before


def test_add_without_a_plan_is_a_usage_error(untouched):
    with pytest.raises(SystemExit) as exited:
        cli(untouched, "tenant", "add", NEW, "--stage", "prod")
    assert exited.value.code == 2


# tenant remove -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def removals(tmp_path_factory) -> dict:
    """remove acme from prod: without --yes, as a dry run, then with --yes."""
    root = tmp_path_factory.mktemp("tenant-remove")
    copy_of_environments(root)
    argv = ("tenant", "remove", "acme", "--stage", "prod")
    return {
        "unconfirmed": cli(root, *argv),
        "dry_run": cli(root, *argv, "--dry-run"),
        "confirmed": cli(root, *argv, "--yes"),
        "root": root,
    }


def test_remove_without_yes_exits_1_and_writes_nothing(removals):
    record = removals["unconfirmed"]
    assert record.result.code == 1, record.result.err
    assert record.after == record.before
    err = record.result.err
    assert "removing tenant acme deletes its namespace tenant-acme-prod and everything in it" in err
    assert "pass --yes to confirm" in err
    assert "environments/prod.yaml was not written" in err
    assert "NOT CONFIRMED: removing tenant acme deletes its namespace tenant-acme-prod" in record.result.out
    assert "OK: nothing blocks this change" not in record.result.out
    no_traceback(record.result)


def test_remove_prints_the_deletions(removals):
    out = removals["unconfirmed"].result.out
    assert out.startswith("prod now -> prod after tenant remove acme\n")
    deleted = rows(out, "DELETE")
    assert "DELETE   Namespace tenant-acme-prod" in deleted
    assert all(" tenant-acme-prod" in row or row.endswith("agent-platform-prod/tenant-acme") for row in deleted)
    assert "DELETE   ConfigMap agent-platform-prod/tenant-acme" in deleted  # its registry entry
    assert rows(out, "create") == []


def test_remove_dry_run_writes_nothing(removals):
    record = removals["dry_run"]
    assert record.result.code == 0, record.result.err
    assert "dry run: environments/prod.yaml was not written" in record.result.out
    assert "needs --yes: removing tenant acme deletes its namespace tenant-acme-prod" in record.result.out
    assert record.after == record.before


def test_remove_with_yes_deletes_the_entry(removals):
    record = removals["confirmed"]
    assert record.result.code == 0, record.result.err
    assert "wrote environments/prod.yaml" in record.result.out
    assert changed_files(record) == {"prod.yaml"}
    before, after = record.before["prod.yaml"], record.after["prod.yaml"]
    assert removed(before, after) == ["  acme: {plan: enterprise}\n"]
    assert comments(after) == comments(before)
    assert "acme" not in parsed(after)["tenants"]
    env = load_environment(removals["root"] / "environments", "prod")
    assert [t.name for t in env.tenants] == ["globex", "initech"]


def test_remove_keeps_the_comments_around_the_entry(tmp_path):
    directory = copy_of_environments(tmp_path)
    prod = directory / "prod.yaml"
    rewrite(prod, PROD_TENANTS, COMMENTED_TENANTS)
    for name, gone in (
        ("acme", ["  acme: {plan: enterprise}            # the first\n"]),
        (
            "initech",
            ["  initech:\n", "    plan: small                       # until the renewal\n", "    features: [sso]\n"],
        ),
    ):
        record = cli(tmp_path, "tenant", "remove", name, "--stage", "prod", "--yes")
        assert record.result.code == 0, record.result.err
        assert removed(record.before["prod.yaml"], record.after["prod.yaml"]) == gone
    assert parsed(prod.read_text())["tenants"] == {"globex": {"plan": "standard"}}
    record = cli(tmp_path, "tenant", "remove", "globex", "--stage", "prod", "--yes")  # the last one
    assert record.result.code == 0, record.result.err
    assert parsed(record.after["prod.yaml"])["tenants"] == {}
    assert comments(record.after["prod.yaml"]) == comments(record.before["prod.yaml"])
