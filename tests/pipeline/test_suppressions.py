"""Skips: only with a reason, only for known rules, and matched by rule, file and resource."""

from __future__ import annotations

import pytest

from model.errors import InputError, Location
from pipeline.policy_run import Finding
from pipeline.suppressions import (
    ANNOTATION,
    ANNOTATION_PREFIX,
    SKIP_FILE,
    Skip,
    annotation_skips,
    load_skip_file,
    split_suppressed,
)


def finding(rule_id: str = "pss-privileged", resource: str = "DaemonSet kube-system/cilium") -> Finding:
    return Finding(rule_id, "mandatory", resource, "spec", "true", "false", "fix it.", None)


def annotated(annotations: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": annotations}}


def no_location(path: str) -> Location:
    return Location("pod.yaml", 7, 5)


def test_an_annotation_with_a_reason_skips_its_rule():
    skips, problems = annotation_skips(
        annotated({ANNOTATION_PREFIX + "pss-privileged": "loads eBPF programs", "other": "x"}), no_location
    )
    assert problems == []
    assert skips == [Skip("pss-privileged", "loads eBPF programs", ANNOTATION, Location("pod.yaml", 7, 5))]


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("pss-privileged", "  ", "a skip without a reason"),
        ("pss-privileged", 3, "a skip without a reason"),
        ("pss-privilegd", "typo", "skips 'pss-privilegd', which is no rule of the pack"),
    ],
)
def test_an_annotation_that_cannot_count_is_a_problem_and_skips_nothing(key, value, message):
    skips, problems = annotation_skips(annotated({ANNOTATION_PREFIX + key: value}), no_location)
    assert skips == []
    assert [p.message for p in problems] == [message]
    assert problems[0].location == Location("pod.yaml", 7, 5)
    assert problems[0].key_path == f"metadata.annotations.{ANNOTATION_PREFIX}{key}"


def test_matching_by_rule_file_and_resource():
    everywhere = Skip("pss-privileged", "why", SKIP_FILE, None)
    in_vendor = Skip(None, "why", SKIP_FILE, None, files=("vendor/*.yaml",))
    on_cilium = Skip("image-tag", "why", SKIP_FILE, None, resources=("DaemonSet kube-system/cil*",))
    assert everywhere.matches(finding(), None)
    assert not everywhere.matches(finding("image-tag"), None)
    assert in_vendor.matches(finding("image-tag"), "vendor/cilium.yaml")
    assert not in_vendor.matches(finding("image-tag"), "apps/cilium.yaml")
    assert not in_vendor.matches(finding("image-tag"), None)
    assert on_cilium.matches(finding("image-tag"), "x.yaml")
    assert not on_cilium.matches(finding("image-tag", "Deployment shop/web"), "x.yaml")


def test_split_keeps_what_no_skip_covers_in_order():
    findings = [finding(), finding("image-tag"), finding("pss-seccomp")]
    skip = Skip("image-tag", "vendor pins it", SKIP_FILE, None)
    kept, suppressed = split_suppressed(findings, lambda i: [skip], lambda i: "f.yaml")
    assert kept == [0, 2]
    assert [(s.finding.rule_id, s.skip.reason) for s in suppressed] == [("image-tag", "vendor pins it")]


def test_a_skip_file_is_read_with_positions(tmp_path):
    path = tmp_path / "skips.yaml"
    path.write_text(
        "skips:\n"
        "  - rule: pss-privileged\n"
        "    resources: [DaemonSet kube-system/cilium]\n"
        "    reason: the CNI agent loads eBPF programs\n"
        "  - files: [vendor/*.yaml]\n"
        "    reason: vendored, judged upstream\n"
    )
    first, second = load_skip_file(path)
    assert (first.rule_id, first.resources, first.source) == (
        "pss-privileged",
        ("DaemonSet kube-system/cilium",),
        SKIP_FILE,
    )
    assert first.declared_at is not None and first.declared_at.line == 2
    assert (second.rule_id, second.files, second.reason) == (None, ("vendor/*.yaml",), "vendored, judged upstream")


@pytest.mark.parametrize(
    "text, where, message",
    [
        ("skips:\n  - rule: image-tag\n", ":2:", "a skip without a reason"),
        ("skips:\n  - rule: image-tagg\n    reason: r\n", ":2:", "'image-tagg' is no rule of the pack"),
        ("skips:\n  - reason: r\n", ":2:", "a skip of every rule needs files"),
        ("skips:\n  - rule: image-tag\n    reason: r\n    file: [a]\n", ":4:", "unknown key 'file'"),
        ("skips:\n  - rule: image-tag\n    reason: r\n    files: a.yaml\n", ":4:", "expected a list of glob patterns"),
        ("- rule: image-tag\n", ":1:", "expected a mapping with one key, skips"),
    ],
)
def test_a_bad_skip_file_names_file_line_and_what_is_wrong(tmp_path, text, where, message):
    path = tmp_path / "skips.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as raised:
        load_skip_file(path)
    report = raised.value.report()
    assert f"skips.yaml{where}" in report and message in report, report
