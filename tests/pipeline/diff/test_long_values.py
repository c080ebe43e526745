"""pipeline.diff.long_values: what counts as long, how it is summarised, and one-line values cut to their difference."""

from __future__ import annotations

import json

import pytest

from pipeline.diff import long_values
from pipeline.diff.long_values import (
    LINE_CHARS,
    LONG_CHARS,
    LONG_LINES,
    clipped,
    elided,
    is_long,
    lines_of,
    summarised,
    value_room,
)
from pipeline.diff.model import FieldChange, LongValue
from pipeline.preview_part import shape_problems
from tests.pipeline.diff import diff


def text(lines: int, width: int = 10) -> str:
    return "".join(f"{i:0{width}d}\n" for i in range(lines))


@pytest.mark.parametrize(
    ("value", "long"),
    [
        (text(LONG_LINES), False),
        (text(LONG_LINES + 1), True),
        ("x" * LONG_CHARS, False),
        ("x" * (LONG_CHARS + 1), True),
        ("short\n" + "x" * (LONG_CHARS + 1) + "\nshort\n", True),  # one line too long is enough
        ({f"k{i}": i for i in range(LONG_LINES)}, False),
        ({f"k{i}": i for i in range(LONG_LINES + 1)}, True),
        ({"a": {"b": [{"c": i} for i in range(LONG_LINES)]}}, True),  # lines as block YAML writes them
        ({"description": "y" * (LONG_CHARS + 1)}, True),
        ([1, 2, 3], False),
        (12345, False),
        (None, False),
    ],
)
def test_what_is_long(value, long):
    assert is_long(value) is long


def test_lines_are_counted_as_block_yaml_writes_them():
    schema = {
        "type": "object",
        "required": ["spec"],
        "properties": {"spec": {"type": "object", "properties": {}}, "note": "two\nlines\n"},
        "x-list": [{"name": "a", "value": 1}, []],
    }
    assert lines_of(schema) == [
        "type: object",
        "required:",
        "  - spec",
        "properties:",
        "  spec:",
        "    type: object",
        "    properties: {}",
        "  note: |",
        "    two",
        "    lines",
        "x-list:",
        "  - name: a",
        "    value: 1",
        "  - []",
    ]
    assert lines_of("a\nb") == ["a", "b"] and lines_of(None) == [] and lines_of(3) == ["3"]


def test_a_summary_counts_lines_before_after_added_and_removed():
    before = text(50)
    after = before.replace("0000000007\n", "0000000007 changed\n").replace("0000000010\n", "") + "new\nnew2\n"
    change = summarised("data['big.json']", before, after)
    assert change == FieldChange(
        "data['big.json']",
        "50 lines",
        "51 lines",
        note="changed, 50 -> 51 lines (+3 -2)",
        long=LongValue(50, 51, 3, 2),
    )
    assert summarised("x", None, {"a": 1}).note == "added, 1 lines"
    assert summarised("x", text(3), None) == FieldChange(
        "x", "3 lines", None, note="removed, 3 lines", long=LongValue(3, None, 0, 3)
    )


def test_long_values_round_trip_through_json():
    change = summarised("spec", text(60), text(61))
    assert FieldChange.from_dict(json.loads(json.dumps(change.as_dict()))) == change
    preview = {"base": "a", "head": "b", "stages": [{"stage": "", "unchanged": 0, "changes": []}]}
    resource = {"group": "", "kind": "ConfigMap", "namespace": "n", "name": "c", "rollout": "update"}
    resource |= {"changes": [change.as_dict(), summarised("x", None, text(50)).as_dict()], "risks": [], "reasons": []}
    preview["stages"][0]["changes"] = [resource]
    assert shape_problems(preview) == []  # a part `preview --merge` reads


def test_one_line_values_are_cut_to_where_they_differ():
    prefix, suffix = "sum by (cluster, namespace) (rate(container_cpu_usage_seconds_total{", "}[5m])) > 0.9"
    old, new = elided(f'{prefix}job="kubelet"{suffix}', f'{prefix}job="cadvisor"{suffix}')
    # CONTEXT (12) characters either side of the difference
    assert (old, new) == ('..._total{job="kubelet"}[5m])) > 0...', '..._total{job="cadvisor"}[5m])) > 0...')
    assert elided("short", "also short") == ("short", "also short")
    added = elided(None, "v" * 100)
    assert added == (None, "v" * long_values.VALUE_CHARS + "... (100 chars)")
    start, end = elided("a" * 200, "b" * 200)  # different throughout: the first characters, cut
    assert start == "a" * long_values.VALUE_CHARS + "..." and end == "b" * long_values.VALUE_CHARS + "..."


def test_the_room_for_values_shrinks_with_a_long_resource_and_path():
    assert value_room(40) == long_values.VALUE_CHARS
    assert value_room(140) == (long_values.LINE_BUDGET - 140 - 16) // 2
    assert value_room(400) == long_values.MIN_VALUE_CHARS


def test_lines_of_a_line_diff_are_clipped():
    assert clipped("+ short") == "+ short"
    assert clipped("+" + "x" * 500) == "+" + "x" * (LINE_CHARS - 1) + "... (501 chars)"


def configmap(value: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}, "data": {"f": value}}


def test_the_engine_summarises_only_unless_full():
    old, new = configmap(text(100)), configmap(text(100).replace("0000000050", "fifty"))
    short = diff(old, new).changes[0].changes[0]  # diff_stage's default is full (previews, gates)
    assert short.lines == ("@@ -50,3 +50,3 @@", " 0000000049", "-0000000050", "+fifty", " 0000000051")
    from pipeline.diff.engine import diff_stage

    summary = diff_stage("s", [old], [new], full=False).changes[0].changes[0]
    assert (summary.note, summary.lines) == ("changed, 100 -> 100 lines (+1 -1)", ())
