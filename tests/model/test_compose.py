"""Composing a stage file's YAML: anchors, aliases, tagged collections, deep nesting and long strings refused.

Each refusal happens before a single value is built, is located at the offending token and
names its key path; past model.limits.MAX_LISTED problems of a kind the rest are counted.
"""

from __future__ import annotations

import time

import pytest

from model.errors import InputError, Location
from model.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_KEY, MAX_LISTED, MAX_STRING
from model.source import parse_document
from tests.model.helpers import position


def problems_of(text: str):
    with pytest.raises(InputError) as caught:
        parse_document(text, "f.yaml")
    return caught.value.problems


def billion_laughs(levels: int = 9) -> str:
    text = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for level in range(1, levels + 1):
        text += f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]\n"
    return text


# --- anchors and aliases ------------------------------------------------------------------------


def test_a_billion_laughs_is_refused_without_being_expanded():
    start = time.monotonic()
    problems = problems_of(billion_laughs())
    assert time.monotonic() - start < 1  # expanded, it is a billion strings
    listed = [p for p in problems if p.message.startswith("a YAML alias")]
    assert len(listed) == MAX_LISTED
    assert listed[0].location == Location("f.yaml", 2, 10)
    assert listed[0].key_path == "l1[0]"
    assert (
        listed[0].message
        == "a YAML alias (*l0) of the value anchored at line 1 (&l0): stage files do not use anchors and aliases"
    )
    (more,) = [p for p in problems if "more YAML aliases" in p.message]
    assert more.message == f"and {81 - MAX_LISTED} more YAML aliases from here on (not listed)"
    (unused,) = [p for p in problems if p.message.startswith("a YAML anchor")]
    assert (unused.location, unused.key_path) == (Location("f.yaml", 10, 5), "l9")  # the last one has no alias


def test_an_alias_of_an_anchor_the_file_does_not_define_is_refused():
    (problem,) = problems_of("a:\n  b: *nowhere\n")
    assert (problem.location, problem.key_path) == (Location("f.yaml", 2, 6), "a.b")
    assert problem.message == "a YAML alias (*nowhere) of no anchor: stage files do not use anchors and aliases"


def test_an_anchor_on_a_scalar_is_refused_too():
    (problem,) = problems_of("a: &x 1\n")
    assert (problem.location, problem.message) == (
        Location("f.yaml", 1, 4),
        "a YAML anchor (&x): stage files do not use anchors and aliases",
    )


def test_a_long_anchor_name_is_shortened():
    name = "n" * 500
    (problem,) = problems_of(f"a: &{name} 1\n")
    assert name not in problem.message and "(500 characters)" in problem.message


# --- tags ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, message",
    [
        ("!!set {a: null}", "YAML tag !!set on a mapping: stage files take plain mappings and lists"),
        ("!!omap [{a: 1}]", "YAML tag !!omap on a list: stage files take plain mappings and lists"),
        ("!!python/object/apply:os.system [ls]", "YAML tag !!python/object/apply:os.system on a list: stage files"),
        ("!!python/object:os.Foo {a: 1}", "YAML tag !!python/object:os.Foo on a mapping"),
        ("!Ref {a: 1}", "YAML tag !Ref on a mapping"),
        ("!!map [1]", "YAML tag !!map on a list"),
        ("!!seq {a: 1}", "YAML tag !!seq on a mapping"),
        ("!<tag:example.com,2026:x> {a: 1}", "YAML tag tag:example.com,2026:x on a mapping"),
    ],
)
def test_a_tag_on_a_collection_is_refused_at_the_tag(value, message):
    (problem,) = problems_of(f"top:\n  a: {value}\n")
    assert (problem.location, problem.key_path) == (Location("f.yaml", 2, 6), "top.a")
    assert problem.message.startswith(message)
    assert problem.hint == "remove the tag"


@pytest.mark.parametrize("text", ["a: !!map {b: 1}\n", "a: !!seq [1]\n", "a: ! {b: 1}\n", "a: !!str x\n"])
def test_core_tags_stay_plain_data(text):
    assert parse_document(text, "f.yaml").data["a"] in ({"b": 1}, [1], "x")


# --- nesting ------------------------------------------------------------------------------------


def test_nesting_at_the_limit_is_fine_and_one_more_level_is_refused_where_it_opens():
    at_limit = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"  # the file's mapping is level 1
    assert parse_document(at_limit, "f.yaml").data["a"]
    (problem,) = problems_of("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n")
    assert problem.location == Location("f.yaml", 1, 3 + MAX_DEPTH)
    assert problem.key_path == "a" + "[0]" * (MAX_DEPTH - 1)
    assert problem.message == f"nested more than {MAX_DEPTH} levels deep"


def test_deep_nesting_past_the_limit_is_skipped_not_recursed_and_the_rest_still_checked():
    problems = problems_of("a: " + "{b: " * 900 + "1" + "}" * 900 + "\nc: &x 1\n")
    assert [p.message for p in problems] == [
        f"nested more than {MAX_DEPTH} levels deep",
        "a YAML anchor (&x): stage files do not use anchors and aliases",
    ]


# --- lengths ------------------------------------------------------------------------------------


def test_a_string_at_the_limit_is_fine_and_one_character_more_is_refused():
    assert len(parse_document(f"a: {'x' * MAX_STRING}\n", "f.yaml").data["a"]) == MAX_STRING
    (problem,) = problems_of(f"a:\n  b: {'x' * (MAX_STRING + 1)}\n")
    assert (problem.location, problem.key_path) == (Location("f.yaml", 2, 6), "a.b")
    assert problem.message == (
        f"a string of {MAX_STRING + 1:,} characters; a stage file's strings are at most {MAX_STRING:,} characters"
    )
    assert "ConfigMap" in problem.hint


def test_a_block_scalar_counts_as_much_as_any_string():
    (problem,) = problems_of("a: |\n" + f"  {'x' * 100}\n" * (MAX_STRING // 100))
    assert problem.message.startswith("a string of ")


def test_a_key_over_the_limit_is_refused_and_not_echoed():
    key = "k" * (MAX_KEY + 1)
    (problem,) = problems_of(f"a:\n  {key}: 1\n")
    assert (problem.location, problem.key_path) == (Location("f.yaml", 2, 3), "a")
    assert problem.message.startswith(f"a key of {MAX_KEY + 1} characters (")
    assert key not in problem.message


def test_a_long_key_that_looks_like_a_credential_is_not_shown_even_cut():
    key = "sk-" + "abcdefghij" * 30 + "1"  # cut at 40 characters it has no digit left to be recognised by
    (problem,) = problems_of(f"{key}: 1\n")
    assert "abcdefghij" not in problem.message and "it looks like an OpenAI-style API key" in problem.message


def test_a_text_over_the_file_limit_is_refused_before_it_is_parsed():
    (problem,) = problems_of("a: [" + "1, " * (MAX_FILE_BYTES // 3) + "1]\n")
    assert problem.location == Location("f.yaml", 1, 1)
    assert problem.message.startswith("the file is ") and f"({MAX_FILE_BYTES:,} bytes)" in problem.message


# --- what stays as it was -----------------------------------------------------------------------


def test_positions_and_data_are_those_libyaml_composes():
    text = "top:\n  key: value\n  flow: {a: 1, b: [x, y]}\n  items:\n    - first\n    - {name: n, port: 80}\n"
    document = parse_document(text, "f.yaml")
    assert document.data == {
        "top": {"key": "value", "flow": {"a": 1, "b": ["x", "y"]}, "items": ["first", {"name": "n", "port": 80}]}
    }
    assert document.source.positions[("top", "flow", "b", 1)] == Location("f.yaml", *position(text, text.index("y]")))
    assert document.source.positions[("top", "items", 1, "port")] == Location(
        "f.yaml", *position(text, text.index("port"))
    )
