"""diff_stage over whole renders: unchanged resources counted, changes listed, paths as users write them."""

from __future__ import annotations

import copy
import json

import pytest

from pipeline.diff.engine import diff_stage, identical
from pipeline.diff.model import RolloutClass
from pipeline.diff.paths import format_path, lookup
from pipeline.reports import preview_markdown
from pipeline.reports.preview_text import field_line
from tests.conftest import STAGES
from tests.pipeline.diff import container, fields, only_change, pick, reports

NS = "agent-platform-prod"


def stage_copy(rendered, stage: str) -> list[dict]:
    return copy.deepcopy(list(rendered[stage].manifests))


def replace(manifests: list[dict], kind: str, name: str, edit, namespace: str = NS) -> None:
    """Edit one manifest of a list in place."""
    target = next(
        m
        for m in manifests
        if m["kind"] == kind and m["metadata"]["name"] == name and m["metadata"].get("namespace") == namespace
    )
    edit(target)


@pytest.mark.parametrize("stage", STAGES)
def test_a_diff_of_identical_renders_is_empty(rendered, stage):
    manifests = list(rendered[stage].manifests)
    result = diff_stage(stage, manifests, stage_copy(rendered, stage))
    assert result.changes == ()
    assert result.empty
    assert result.unchanged == len(manifests)
    assert result.counts == {"create": 0, "update": 0, "restart": 0, "replace": 0, "delete": 0}
    assert result.as_dict() == {
        "stage": stage,
        "counts": result.counts,
        "unchanged": len(manifests),
        "tenants": [],
        "changes": [],
    }


def test_unchanged_resources_are_counted_not_listed(rendered):
    old = list(rendered["prod"].manifests)
    new = stage_copy(rendered, "prod")
    replace(new, "HorizontalPodAutoscaler", "agent-service", lambda h: h["spec"].update(maxReplicas=25))
    # differs only in form: the same limit written another way, the env in another order
    replace(new, "Deployment", "agent-service", lambda d: container(d)["resources"]["limits"].update(cpu="1"))
    replace(new, "Deployment", "user-service", lambda d: container(d)["env"].reverse())
    result = diff_stage("prod", old, new)
    assert [c.title for c in result.changes] == [f"HorizontalPodAutoscaler {NS}/agent-service"]
    assert result.unchanged == len(old) - 1
    text = reports(result)["text"]
    assert f"== prod: 1 update, {len(old) - 1} unchanged" in text
    assert "user-service" not in text and "Deployment" not in text


def test_changes_are_ordered_by_group_kind_namespace_and_name(rendered):
    old = list(rendered["prod"].manifests)
    new = stage_copy(rendered, "prod")
    for kind, name in (("Service", "user-service"), ("Deployment", "cost-service"), ("Service", "agent-service")):
        replace(new, kind, name, lambda m: m["metadata"]["labels"].update({"example.com/team": "core"}))
    result = diff_stage("prod", old, new)
    assert [c.title for c in result.changes] == [
        f"Service {NS}/agent-service",
        f"Service {NS}/user-service",
        f"Deployment {NS}/cost-service",  # group apps after the core group ""
    ]


def test_the_config_checksum_annotation_reads_config_changed(rendered):
    old = pick(rendered, "prod", "Deployment", "agent-service")
    new = copy.deepcopy(old)
    annotations = new["spec"]["template"]["metadata"]["annotations"]
    before, after = annotations["checksum/config"], "0" * 64
    annotations["checksum/config"] = after
    change = only_change(old, new)
    assert change.rollout is RolloutClass.RESTART
    assert fields(change) == [
        {
            "path": "spec.template.metadata.annotations['checksum/config']",
            "old": before,
            "new": after,
            "note": "config changed",
        }
    ]
    assert field_line(change, change.changes[0]) == (
        f"Deployment {NS}/agent-service  spec.template.metadata.annotations['checksum/config']  config changed"
    )
    out = reports(diff_stage("prod", [old], [new]))
    assert before not in out["text"] and after not in out["text"]
    assert before not in out["markdown"] and after not in out["markdown"]
    assert (
        "| `spec.template.metadata.annotations['checksum/config']` | config changed | config changed |"
        in out["markdown"]
    )
    assert json.loads(out["json"])["stages"][0]["changes"][0]["changes"][0]["note"] == "config changed"


def test_an_added_annotation_named_like_the_checksum_elsewhere_is_not_config(rendered):
    old = pick(rendered, "prod", "Deployment", "agent-service")
    new = copy.deepcopy(old)
    new["spec"]["template"]["metadata"]["annotations"]["checksum/secrets"] = "1" * 64
    assert fields(only_change(old, new)) == [
        {"path": "spec.template.metadata.annotations['checksum/secrets']", "old": None, "new": "1" * 64}
    ]


def test_the_text_report_lists_fields_and_flags_under_each_resource(rendered):
    old = pick(rendered, "prod", "Deployment", "agent-service")
    new = copy.deepcopy(old)
    container(new)["securityContext"]["runAsNonRoot"] = False
    new["spec"]["selector"]["matchLabels"]["tier"] = "agents"
    text = reports(diff_stage("prod", [old], [new]))["text"]
    assert text.splitlines() == [
        "base -> head",
        "",
        "== prod: 1 replace, 0 unchanged",
        f"  REPLACE  Deployment {NS}/agent-service  (spec.selector.matchLabels.tier is immutable)",
        f"      Deployment {NS}/agent-service  spec.selector.matchLabels.tier  + agents",
        f"      Deployment {NS}/agent-service  spec.template.spec.containers[agent].securityContext.runAsNonRoot  "
        "true -> false",
        "      ! securityContext relaxed: spec.template.spec.containers[agent].securityContext.runAsNonRoot "
        "true -> false",
    ]


def test_the_json_report_holds_the_whole_structured_change(rendered):
    old = pick(rendered, "prod", "HorizontalPodAutoscaler", "agent-service")
    new = copy.deepcopy(old)
    new["spec"]["minReplicas"] = 2
    data = json.loads(reports(diff_stage("prod", [old], [new]))["json"])
    assert data == {
        "base": "base",
        "head": "head",
        "order": [],
        "protected": None,
        "tenant_filter": [],
        "passed": True,
        "blockers": [],
        "stages": [
            {
                "stage": "prod",
                "counts": {"create": 0, "update": 1, "restart": 0, "replace": 0, "delete": 0},
                "unchanged": 0,
                "tenants": [
                    {"tenant": None, "counts": {"create": 0, "update": 1, "restart": 0, "replace": 0, "delete": 0}}
                ],
                "changes": [
                    {
                        "resource": f"HorizontalPodAutoscaler {NS}/agent-service",
                        "group": "autoscaling",
                        "kind": "HorizontalPodAutoscaler",
                        "namespace": NS,
                        "name": "agent-service",
                        "tenant": None,
                        "rollout": "update",
                        "reasons": [],
                        "risks": [{"risk": "HPA minimum lowered", "path": "spec.minReplicas", "detail": "3 -> 2"}],
                        "changes": [{"path": "spec.minReplicas", "old": "3", "new": "2"}],
                    }
                ],
                "release": None,
                "base_release": None,
            }
        ],
    }


def test_identical_ignores_key_order_only():
    assert identical({"a": 1, "b": [1, 2]}, {"b": [1, 2], "a": 1})
    assert not identical({"a": 1, "b": [1, 2]}, {"a": 1, "b": [2, 1]})
    assert not identical({"a": True}, {"a": 1}) and not identical({"a": [1]}, {"a": [1.0]})
    assert not identical({"a": {"b": 0}}, {"a": {"b": False}})


def test_a_value_that_changes_type_only_is_a_change(rendered):
    old = pick(rendered, "prod", "Deployment", "agent-service")
    new = copy.deepcopy(old)
    new["spec"]["replicas"] = float(old["spec"].get("replicas", 1))
    old["spec"]["replicas"] = int(new["spec"]["replicas"])
    assert old == new  # Python's == says equal; the diff must not
    assert fields(only_change(old, new)) == [{"path": "spec.replicas", "old": "1", "new": "1.0"}]


def test_field_paths_read_as_kubernetes_users_write_them():
    assert format_path(["spec", "template", "spec", "containers", "[agent]", "image"]) == (
        "spec.template.spec.containers[agent].image"
    )
    assert format_path(["spec", "egress", 3, "ports", 0, "port"]) == "spec.egress[3].ports[0].port"
    assert format_path(["metadata", "labels", "app.kubernetes.io/name"]) == "metadata.labels['app.kubernetes.io/name']"
    assert format_path(["spec", "hard", "requests.cpu"]) == "spec.hard['requests.cpu']"
    manifest = {"spec": {"containers": [{"name": "a", "volumeMounts": [{"name": "v", "mountPath": "/tmp"}]}]}}
    assert lookup(manifest, ["spec", "containers", "[a]", "volumeMounts", "[/tmp]", "name"]) == "v"
    assert lookup(manifest, ["spec", "containers", 0, "name"]) == "a"
    assert lookup(manifest, ["spec", "containers", "[b]", "name"]) is None
    assert lookup(manifest, ["spec", "containers", 5]) is None


def test_an_item_removed_from_a_plain_list_reads_as_removed(rendered):
    old = pick(rendered, "prod", "NetworkPolicy", "agent-service")
    new = copy.deepcopy(old)
    new["spec"]["policyTypes"] = ["Egress"]
    assert fields(only_change(old, new)) == [{"path": "spec.policyTypes[0]", "old": "Ingress", "new": None}]


def test_an_item_inserted_into_a_plain_list_reads_as_added(rendered):
    old = pick(rendered, "prod", "Deployment", "agent-service")
    container(old)["args"] = ["--port", "8080"]
    new = copy.deepcopy(old)
    container(new)["args"] = ["--verbose", "--port", "8080"]
    assert fields(only_change(old, new)) == [
        {"path": "spec.template.spec.containers[agent].args[0]", "old": None, "new": "--verbose"}
    ]


def test_a_cut_markdown_never_ends_inside_a_code_block(rendered, monkeypatch):
    old = list(rendered["prod"].manifests)
    new = stage_copy(rendered, "prod")
    for name in ("agent-service", "task-service", "tool-service", "user-service", "cost-service"):
        replace(
            new,
            "ConfigMap",
            f"{name}-config",
            lambda m: m["data"].update({"config.yaml": m["data"]["config.yaml"].replace("json", "text")}),
        )
    result = diff_stage("prod", old, new)
    full = reports(result)["markdown"]
    assert full.count("  ```diff") == 5
    cut_inside = []
    for cap in range(1500, len(full), 37):
        monkeypatch.setattr(preview_markdown, "MAX_CHARS", cap)
        text = reports(result)["markdown"]
        assert len(text) <= cap and text.endswith("(the workflow's artifact).\n")
        if sum(1 for line in text.splitlines() if line.strip().startswith("```")) % 2:
            cut_inside.append(cap)
    assert cut_inside == []


def test_only_resources_that_differ_are_walked(rendered, monkeypatch):
    """The diff's cost follows the changes: unchanged resources are compared once, never field-diffed."""
    from pipeline.diff import engine

    walked = []
    real = engine._updated
    monkeypatch.setattr(engine, "_updated", lambda rid, old, new, full: walked.append(rid) or real(rid, old, new, full))
    old = list(rendered["prod"].manifests)
    new = stage_copy(rendered, "prod")
    replace(new, "HorizontalPodAutoscaler", "agent-service", lambda h: h["spec"].update(maxReplicas=25))
    replace(new, "Deployment", "user-service", lambda d: container(d)["env"].reverse())  # form only
    result = diff_stage("prod", old, new)
    assert [str(rid) for rid in walked] == [
        f"Deployment {NS}/user-service",
        f"HorizontalPodAutoscaler {NS}/agent-service",
    ]
    assert [c.title for c in result.changes] == [f"HorizontalPodAutoscaler {NS}/agent-service"]
    assert result.unchanged == len(old) - 1
