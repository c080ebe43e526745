"""model/source.py: YAML 1.2 core scalars, positions of keys and items, YAML the stage files refuse."""

from __future__ import annotations

import math

import pytest

from model.errors import InputError, Location
from model.source import SourceMap, format_path, load_document, parse_document


def value_of(scalar: str):
    """What `key: <scalar>` reads as."""
    return parse_document(f"key: {scalar}\n", "f.yaml").data["key"]


def problems_of(text: str):
    with pytest.raises(InputError) as caught:
        parse_document(text, "f.yaml")
    return caught.value.problems


# --- scalars: YAML 1.2 core schema, not PyYAML's YAML 1.1 -----------------------------------------


@pytest.mark.parametrize("scalar", ["yes", "no", "on", "Off", "y", "n", "NO", "ON"])
def test_yaml_1_1_booleans_stay_strings(scalar):
    assert value_of(scalar) == scalar


@pytest.mark.parametrize(
    "scalar, expected",
    [
        ("true", True),
        ("false", False),
        ("True", True),
        ("FALSE", False),
    ],
)
def test_true_and_false_are_booleans(scalar, expected):
    assert value_of(scalar) is expected


@pytest.mark.parametrize(
    "scalar, expected",
    [
        ("010", 10),  # YAML 1.2: decimal, not octal 8
        ("-010", -10),
        ("+5", 5),
        ("0o10", 8),
        ("0x1F", 31),
        ("0", 0),
    ],
)
def test_integers(scalar, expected):
    value = value_of(scalar)
    assert type(value) is int and value == expected


@pytest.mark.parametrize("scalar, expected", [("1.5", 1.5), (".5", 0.5), ("1e3", 1000.0), ("-2.5E-1", -0.25)])
def test_floats(scalar, expected):
    value = value_of(scalar)
    assert type(value) is float and value == expected


def test_special_floats():
    assert value_of(".inf") == math.inf
    assert value_of("-.Inf") == -math.inf
    assert math.isnan(value_of(".nan"))


@pytest.mark.parametrize(
    "scalar", ["20:30", "1:20:30", "2026-11-24", "2026-11-24T10:00:00Z", "1_000", "0b101", "2026.11.4", "=", "<<x"]
)
def test_yaml_1_1_only_forms_stay_strings(scalar):
    assert value_of(scalar) == scalar


@pytest.mark.parametrize("scalar", ["~", "null", "Null", "NULL", ""])
def test_nulls(scalar):
    assert value_of(scalar) is None


@pytest.mark.parametrize("scalar, expected", [('"010"', "010"), ("'true'", "true"), ('"2026.11"', "2026.11")])
def test_quoted_scalars_are_strings(scalar, expected):
    assert value_of(scalar) == expected


def test_an_empty_document_is_an_empty_mapping():
    assert parse_document("", "f.yaml").data == {}
    assert parse_document("# only a comment\n", "f.yaml").data == {}


def test_an_alias_is_refused_at_the_alias_naming_the_anchors_line():
    # Stage files share values through defaults.yaml and service_defaults, never through anchors.
    (problem,) = problems_of("a: &x {b: 1}\nc: *x\n")
    assert (problem.location, problem.key_path) == (Location("f.yaml", 2, 4), "c")
    assert (
        problem.message
        == "a YAML alias (*x) of the value anchored at line 1 (&x): stage files do not use anchors and aliases"
    )
    assert "defaults.yaml" in problem.hint and "service_defaults" in problem.hint


def test_an_anchor_without_an_alias_is_refused_too():
    (problem,) = problems_of("a: 1\nb: &x {c: 1}\n")
    assert (problem.location, problem.key_path) == (Location("f.yaml", 2, 4), "b")
    assert problem.message == "a YAML anchor (&x): stage files do not use anchors and aliases"


# --- positions -----------------------------------------------------------------------------------

DOCUMENT = """\
# a comment
top:
  key: value
  flow: {a: 1,   b: 2}
  items:
    - first
    -   second
    - name: third
      port: 80
  inline: [x,  y]
"""


@pytest.fixture(scope="module")
def positions():
    return parse_document(DOCUMENT, "doc.yaml").source.positions


POSITIONS = [
    ((), 2, 1),
    (("top",), 2, 1),
    (("top", "key"), 3, 3),
    (("top", "flow"), 4, 3),
    (("top", "flow", "a"), 4, 10),
    (("top", "flow", "b"), 4, 18),
    (("top", "items"), 5, 3),
    (("top", "items", 0), 6, 7),
    (("top", "items", 1), 7, 9),
    (("top", "items", 2), 8, 7),
    (("top", "items", 2, "name"), 8, 7),
    (("top", "items", 2, "port"), 9, 7),
    (("top", "inline", 0), 10, 12),
    (("top", "inline", 1), 10, 16),
]


@pytest.mark.parametrize("path, line, column", POSITIONS, ids=[format_path(path) or "root" for path, _, _ in POSITIONS])
def test_positions_of_keys_and_list_items(positions, path, line, column):
    assert positions[path] == Location("doc.yaml", line, column)


def test_the_position_is_checked_against_the_text(positions):
    lines = DOCUMENT.splitlines()
    for path, where in positions.items():
        if path and isinstance(path[-1], str):
            assert lines[where.line - 1][where.column - 1 :].startswith(path[-1]), path


def test_locate_falls_back_to_the_nearest_ancestor(positions):
    source = SourceMap(dict(positions))
    assert source.locate(("top", "items", 2, "missing", "deeper")) == Location("doc.yaml", 8, 7)
    assert source.locate(("nowhere",)) == Location("doc.yaml", 2, 1)
    assert source.file_of(("top", "key")) == "doc.yaml"
    assert SourceMap().locate(("a",)) is None


@pytest.mark.parametrize(
    "path, text",
    [
        (
            ("services", "agent-service", "autoscaling", "min_replicas"),
            "services.agent-service.autoscaling.min_replicas",
        ),
        (("availability", "zones", 2), "availability.zones[2]"),
        (("stages", 3), "stages[3]"),
        ((), ""),
    ],
)
def test_format_path(path, text):
    assert format_path(path) == text


# --- what a stage file may not hold --------------------------------------------------------------


def test_duplicate_key_names_both_lines():
    (problem,) = problems_of("a: 1\nb:\n  c: 1\n  c: 2\n")
    assert problem.location == Location("f.yaml", 4, 3)
    assert problem.key_path == "b.c"
    assert problem.message == "duplicate key 'c'; it is already defined at line 3"


def test_every_duplicate_key_is_reported():
    problems = problems_of("a: 1\na: 2\nb: {x: 1, x: 2}\n")
    assert [(p.location.line, p.location.column, p.key_path) for p in problems] == [(2, 1, "a"), (3, 11, "b.x")]


@pytest.mark.parametrize(
    "text, line, column, key_path",
    [
        ("a: &x [*x]\n", 1, 8, "a[0]"),
        ("a: &x {b: *x}\n", 1, 11, "a.b"),
        ("top:\n  a: &x\n    - 1\n    - [*x]\n", 4, 8, "top.a[1][0]"),
    ],
    ids=["sequence", "mapping", "nested"],
)
def test_a_recursive_alias_is_refused_like_any_alias(text, line, column, key_path):
    # Located at the alias, named by its path; the message names the anchor's line.
    (problem,) = problems_of(text)
    assert problem.location == Location("f.yaml", line, column)
    assert problem.key_path == key_path
    assert problem.message.startswith("a YAML alias (*x) of the value anchored at line ")


def test_merge_key_is_rejected():
    (problem,) = problems_of("base: {x: 1}\nc:\n  <<: {x: 1}\n  y: 2\n")
    assert problem.location == Location("f.yaml", 3, 3)
    assert problem.key_path == "c"
    assert problem.message == "YAML merge keys (<<) are not supported"


def test_a_merge_key_through_an_alias_is_refused_at_the_alias():
    problems = problems_of("base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n")
    assert [(p.location, p.key_path) for p in problems] == [(Location("f.yaml", 3, 7), "c.<<")]


def test_a_second_document_is_rejected_where_it_starts():
    (problem,) = problems_of("a: 1\n---\nb: 2\n")
    assert problem.location == Location("f.yaml", 2, 1)
    assert problem.message == "YAML syntax error: holds more than one YAML document"
    assert "remove the '---' separator" in problem.hint


def test_explicit_document_markers_are_fine():
    assert parse_document("---\na: 1\n...\n", "f.yaml").data == {"a": 1}


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: !!binary aGVsbG8=\n", "unsupported value of type bytes"),
        ("a: !!timestamp 2026-11-24\n", "unsupported value of type date"),
        ("a: !custom x\n", "unsupported YAML tag '!custom'"),
        ("a: !!python/object:os.system x\n", "unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'"),
    ],
)
def test_tags_outside_plain_data_are_rejected(text, message):
    (problem,) = problems_of(text)
    assert (problem.location, problem.key_path, problem.message) == (Location("f.yaml", 1, 4), "a", message)
    assert problem.hint == "use plain strings, numbers, booleans, lists and mappings"


@pytest.mark.parametrize("text", ["? [a, b]\n: 1\n", "null: 1\n"], ids=["sequence-key", "null-key"])
def test_a_key_that_is_not_a_plain_scalar_is_rejected(text):
    (problem,) = problems_of(text)
    assert problem.location == Location("f.yaml", 1, 1 if text.startswith("null") else 3)
    assert problem.message == "a mapping key must be a name"
    assert "write keys as plain text" in problem.hint


@pytest.mark.parametrize("text", ["a: &x [*x]\n", "? [a, b]\n: 1\n"], ids=["recursive-alias", "sequence-key"])
def test_every_source_problem_has_a_hint(text):
    (problem,) = problems_of(text)
    assert problem.hint


@pytest.mark.parametrize("text", ["a: !!int abc\n", "a: !!float abc\n", "a: !!bool maybe\n"])
def test_an_explicit_tag_that_does_not_fit_its_value_is_a_located_problem(text):
    (problem,) = problems_of(text)
    assert problem.location == Location("f.yaml", 1, 4)


def test_syntax_error_is_located():
    (problem,) = problems_of("a:\n  b: [1, 2}\n")
    assert problem.location == Location("f.yaml", 2, 11)  # the '}' that should have been ']'
    assert problem.key_path == ""
    assert problem.message == "YAML syntax error: did not find expected ',' or ']'"


# --- files ---------------------------------------------------------------------------------------


def test_load_document_reads_a_file_under_its_display_name(tmp_path):
    path = tmp_path / "stage.yaml"
    path.write_text("a:\n  b: 1\n", encoding="utf-8")
    document = load_document(path, "environments/stage.yaml")
    assert document.data == {"a": {"b": 1}}
    assert document.file == "environments/stage.yaml"
    assert document.source.positions[("a", "b")] == Location("environments/stage.yaml", 2, 3)


def test_load_document_of_a_missing_file(tmp_path):
    with pytest.raises(InputError) as caught:
        load_document(tmp_path / "missing.yaml", "missing.yaml")
    assert [p.message for p in caught.value.problems] == ["missing.yaml: no such file"]


def test_load_document_of_a_file_that_is_not_utf8_names_the_line_and_column(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: 1\nb: \u00e9t\u00e9 caf\xe9\n".encode("utf-8").replace(b"caf\xc3\xa9", b"caf\xe9"))
    with pytest.raises(InputError) as caught:
        load_document(path, "latin1.yaml")
    (problem,) = caught.value.problems
    # line 2; "b: été caf" is 10 characters (the two é are one character each, two bytes each)
    assert (problem.location.file, problem.location.line, problem.location.column) == ("latin1.yaml", 2, 11)
    assert problem.message == "not UTF-8 text: byte 0xe9 cannot start or continue a character"
    assert "UTF-8" in problem.hint
