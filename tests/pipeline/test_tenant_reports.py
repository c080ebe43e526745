"""Tenants in the diff and the preview: whose each change is, grouped reports, --tenant narrowing,
and previews that read back from their JSON (the parts `preview --merge` joins).

The manifests are built here: a shared namespace, tenant-labelled namespaces and a few objects
in each, so the tests do not depend on which tenants the stage files declare.
"""

from __future__ import annotations

import json

import pytest

from kube.identity import ResourceId
from kube.tenancy import TENANT_LABEL
from model.errors import InputError, Location
from pipeline.diff.engine import diff_stage
from pipeline.kube_schema import SchemaProblem
from pipeline.policy_run import Finding
from pipeline.preview import Preview, StagePreview, build_preview
from pipeline.reports import preview_json, preview_markdown, preview_text
from pipeline.reports.preview_parts import merge
from pipeline.sources import RenderedSet
from pipeline.verdict import Located, StageCheck

SHARED_NS = "agent-platform-prod"


def namespace(name: str, tenant: str | None = None) -> dict:
    labels = {"app.kubernetes.io/part-of": "agentflow", **({TENANT_LABEL: tenant} if tenant else {})}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def config_map(ns: str, name: str, value: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": {"v": value}}


def base_stage() -> list[dict]:
    return [
        namespace(SHARED_NS),
        config_map(SHARED_NS, "platform", "1"),
        namespace("tenant-acme-prod", "acme"),
        config_map("tenant-acme-prod", "a", "1"),
        config_map("tenant-acme-prod", "b", "1"),
        namespace("tenant-beta-prod", "beta"),
        config_map("tenant-beta-prod", "x", "1"),
        # named like a tenant's namespace, but not labelled: the shared platform's
        namespace("tenant-fake-prod"),
        config_map("tenant-fake-prod", "f", "1"),
    ]


def head_stage() -> list[dict]:
    return [
        namespace(SHARED_NS),
        config_map(SHARED_NS, "platform", "2"),
        namespace("tenant-acme-prod", "acme"),
        config_map("tenant-acme-prod", "a", "2"),
        config_map("tenant-acme-prod", "c", "1"),
        namespace("tenant-beta-prod", "beta"),
        config_map("tenant-beta-prod", "x", "1"),
        namespace("tenant-fake-prod"),
        config_map("tenant-fake-prod", "f", "2"),
        namespace("tenant-gamma-prod", "gamma"),  # a new tenant: known from the head's label
        config_map("tenant-gamma-prod", "g", "1"),
    ]


def preview_of(tenants: tuple[str, ...] = ()) -> Preview:
    base = RenderedSet("main (0123456789ab)", {"prod": base_stage()}, {"prod": "1.0"})
    head = RenderedSet("working tree", {"prod": head_stage()}, {"prod": "1.1"})
    return build_preview(base, head, order=("dev", "prod"), tenants=tenants)


def owners(stage_diff) -> list[tuple[str, str, str | None]]:
    return [(c.rollout.value, c.title, c.tenant) for c in stage_diff.changes]


# whose each change is ----------------------------------------------------------------------------


def test_each_change_knows_its_tenant_from_the_namespace_label():
    result = diff_stage("prod", base_stage(), head_stage())
    assert owners(result) == [
        ("update", f"ConfigMap {SHARED_NS}/platform", None),
        ("update", "ConfigMap tenant-acme-prod/a", "acme"),
        ("delete", "ConfigMap tenant-acme-prod/b", "acme"),
        ("create", "ConfigMap tenant-acme-prod/c", "acme"),
        ("update", "ConfigMap tenant-fake-prod/f", None),
        ("create", "ConfigMap tenant-gamma-prod/g", "gamma"),
        ("create", "Namespace tenant-gamma-prod", "gamma"),
    ]
    assert result.unchanged == 5
    assert result.tenants == (None, "acme", "gamma")


def test_a_deleted_tenant_is_known_from_the_base():
    result = diff_stage("prod", base_stage(), [m for m in base_stage() if "beta" not in str(m)])
    assert owners(result) == [
        ("delete", "ConfigMap tenant-beta-prod/x", "beta"),
        ("delete", "Namespace tenant-beta-prod", "beta"),
    ]


def test_the_json_carries_the_tenant_of_each_change_and_counts_per_tenant():
    stage = json.loads(preview_json.render(preview_of()))["stages"][0]
    assert [(c["resource"], c["tenant"]) for c in stage["changes"]][:2] == [
        (f"ConfigMap {SHARED_NS}/platform", None),
        ("ConfigMap tenant-acme-prod/a", "acme"),
    ]
    zero = {"create": 0, "update": 0, "restart": 0, "replace": 0, "delete": 0}
    assert stage["tenants"] == [
        {"tenant": None, "counts": {**zero, "update": 2}},
        {"tenant": "acme", "counts": {**zero, "create": 1, "update": 1, "delete": 1}},
        {"tenant": "gamma", "counts": {**zero, "create": 2}},
    ]


# grouped reports ---------------------------------------------------------------------------------


def test_the_markdown_groups_each_stage_by_tenant_shared_platform_first():
    markdown = preview_markdown.render(preview_of())
    assert "<summary><b>prod</b>: 7 changed resources in 2 tenants and the shared platform</summary>" in markdown
    headings = [line for line in markdown.splitlines() if line.startswith("####")]
    assert headings == [
        "#### Shared platform: 2 update",
        "##### Updated in place (2)",
        "#### Tenant `acme`: 1 delete, 1 update, 1 create",
        "##### Deleted (1)",
        "##### Updated in place (1)",
        "##### Created (1)",
        "#### Tenant `gamma`: 2 create",
        "##### Created (2)",
    ]
    assert markdown.index("`ConfigMap tenant-fake-prod/f`") < markdown.index("#### Tenant `acme`")
    assert table_row(markdown) == "| prod | 1.0 → **1.1** | 3 | 3 | 0 | 0 | 1 | 0 | 0 |  |"


def table_row(markdown: str) -> str:
    return next(line for line in markdown.splitlines() if line.startswith("| prod |"))


def test_the_text_report_groups_each_stage_by_tenant():
    lines = preview_text.render(preview_of()).splitlines()
    assert lines[2:] == [
        "== prod (release 1.0 -> 1.1): 3 create, 3 update, 1 delete, 5 unchanged",
        "  -- shared platform: 2 update",
        f"  update   ConfigMap {SHARED_NS}/platform",
        f"      ConfigMap {SHARED_NS}/platform  data.v  1 -> 2",
        "  update   ConfigMap tenant-fake-prod/f",
        "      ConfigMap tenant-fake-prod/f  data.v  1 -> 2",
        "  -- tenant acme: 1 create, 1 update, 1 delete",
        "  update   ConfigMap tenant-acme-prod/a",
        "      ConfigMap tenant-acme-prod/a  data.v  1 -> 2",
        "  DELETE   ConfigMap tenant-acme-prod/b",
        "  create   ConfigMap tenant-acme-prod/c",
        "  -- tenant gamma: 2 create",
        "  create   ConfigMap tenant-gamma-prod/g",
        "  create   Namespace tenant-gamma-prod",
    ]


def test_a_stage_without_tenants_reads_as_before():
    shared = [m for m in head_stage() if "tenant-" not in str(m)]
    before = [m for m in base_stage() if "tenant-" not in str(m)]
    preview = build_preview(RenderedSet("a", {"prod": before}), RenderedSet("b", {"prod": shared}))
    markdown = preview_markdown.render(preview)
    assert "<summary><b>prod</b>: 1 changed resources</summary>" in markdown
    assert [line for line in markdown.splitlines() if line.startswith("####")] == ["#### Updated in place (1)"]
    assert "-- shared platform" not in preview_text.render(preview)


def test_a_grouped_markdown_stays_within_the_cap(monkeypatch):
    many_base = [namespace(f"tenant-t{i:03}-prod", f"t{i:03}") for i in range(150)]
    many_head = many_base + [
        config_map(f"tenant-t{i:03}-prod", f"config-{j}", "line\n" * 3) for i in range(150) for j in range(3)
    ]
    preview = build_preview(RenderedSet("a", {"prod": many_base}), RenderedSet("b", {"prod": many_head}))
    monkeypatch.setattr(preview_markdown, "MAX_CHARS", 6000)
    markdown = preview_markdown.render(preview)
    assert len(markdown) <= 6000
    assert markdown.count("```") % 2 == 0
    assert markdown.rstrip().endswith("The full diff is in the preview's JSON (the workflow's artifact).")
    assert "#### Tenant `t000`: 3 create" in markdown


# --tenant ----------------------------------------------------------------------------------------


def test_a_tenant_filter_keeps_only_that_tenants_changes():
    preview = preview_of(("acme",))
    assert owners(preview.stages[0].diff) == [
        ("update", "ConfigMap tenant-acme-prod/a", "acme"),
        ("delete", "ConfigMap tenant-acme-prod/b", "acme"),
        ("create", "ConfigMap tenant-acme-prod/c", "acme"),
    ]
    assert preview.stages[0].diff.unchanged == 1  # acme's Namespace
    assert preview.tenants == ("acme",)
    assert preview_markdown.render(preview).splitlines()[1].endswith(" (tenant acme)")


def test_several_tenants_can_be_selected():
    preview = preview_of(("gamma", "beta"))
    assert [c.tenant for c in preview.stages[0].diff.changes] == ["gamma", "gamma"]
    assert preview.stages[0].diff.unchanged == 2  # beta's Namespace and ConfigMap
    assert preview.tenants == ("beta", "gamma")


def test_an_unknown_tenant_is_bad_input_naming_the_known_ones():
    with pytest.raises(InputError) as raised:
        preview_of(("acne",))
    assert raised.value.exit_code == 2
    assert raised.value.report() == (
        "--tenant: unknown tenant 'acne' in stage prod\n    hint: did you mean 'acme'? known tenants: acme, beta, gamma"
    )


def test_a_narrowed_check_keeps_the_findings_on_the_tenants_resources_and_their_locations():
    check = sample_check()
    keep = lambda rid: rid is not None and rid.namespace == "tenant-acme-prod"  # noqa: E731
    narrowed = check.narrowed(keep, 3, ["acme"])
    assert [f.resource for f in narrowed.findings] == ["ConfigMap tenant-acme-prod/a"]
    assert narrowed.locations == {0: check.locations[1]}
    assert narrowed.schema_problems == ()
    assert (narrowed.resources, narrowed.tenants, narrowed.passed) == (3, ("acme",), False)


# reading previews back ---------------------------------------------------------------------------


def sample_check() -> StageCheck:
    shared = ResourceId("", "ConfigMap", SHARED_NS, "platform")
    acme = ResourceId("", "ConfigMap", "tenant-acme-prod", "a")
    findings = (
        Finding("rule-a", "advisory", f"ConfigMap {SHARED_NS}/platform", "data.v", "'1'", "'2'", "fix it", shared),
        Finding("rule-b", "mandatory", "ConfigMap tenant-acme-prod/a", "", "bad", "good", "fix that", acme),
        Finding("rule-c", "mandatory", "stack", "", "whole stack", "", "fix all", None),
    )
    problems = (SchemaProblem(f"ConfigMap {SHARED_NS}/platform", shared, "data.v", "1 is not of type 'string'"),)
    return StageCheck(
        "prod",
        9,
        ("rule-a", "rule-b", "rule-c"),
        problems,
        findings,
        {0: Located(Location("environments/prod.yaml", 3, 5), "services.x"), 1: Located(Location("r.yaml", 1, 1))},
        {0: Located(Location("rendered/prod/a.yaml", 1, 1))},
    )


def test_a_preview_reads_back_from_its_json_unchanged():
    preview = preview_of()
    check = sample_check()
    stage = StagePreview("prod", preview.stages[0].diff, check, check.findings[1:2], "1.1", "1.0")
    full = Preview(preview.base, preview.head, (stage,), "prod", ("dev", "prod"), ("acme",))
    data = json.loads(preview_json.render(full))
    again = Preview.from_dict(data)
    assert again == full
    assert preview_json.render(again) == preview_json.render(full)
    assert [f["new"] for f in data["stages"][0]["policy"]["findings"]] == [False, True, False]


def test_merging_parts_follows_the_stage_order_and_refuses_overlaps():
    def part(stage: str) -> Preview:
        diff = diff_stage(stage, [], [config_map(f"ns-{stage}", "c", "1")])
        return Preview("base", "head", (StagePreview(stage, diff, None, (), None, None),), "prod", ("dev", "prod"))

    merged = merge([("prod.json", part("prod")), ("dev.json", part("dev"))])
    assert [s.stage for s in merged.stages] == ["dev", "prod"]
    with pytest.raises(InputError) as raised:
        merge([("a.json", part("dev")), ("b.json", part("dev"))])
    assert "b.json: stage dev is already in a.json" in raised.value.report()
    other = Preview("other base", "head", part("prod").stages, "prod", ("dev", "prod"))
    with pytest.raises(InputError) as raised:
        merge([("a.json", part("dev")), ("b.json", other)])
    assert "b.json: its base 'other base' differs from a.json's 'base'" in raised.value.report()
