"""CRD patterns are matched as RE2 matches them (Go's regexp, the API server's), not as Python's re."""

from __future__ import annotations

import random
import re

import pytest

from pipeline.re2_match import Re2Error, TooLarge, pattern_keyword
from pipeline.re2_match import compile as re2

# Patterns on which RE2 and Python's re agree (no $ before a final newline, ASCII text): compared on many strings.
COMMON = [
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
    r"^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$",
    r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$",
    r"^(?:[0-9]{1,3}\.){3}[0-9]{1,3}$",
    r"^(a|ab)(c|bcd)(d*)$",
    r"x{2,3}y",
    r"^.{0,5}$",
    r"(?i)hello",
    r"(?i:ab)C",
    r"[^abc]+",
    r"\bfoo\b",
    r"[]a]",
    r"[a\-z]",
    r"^$",
    r"",
    r"(a*)*b",
    r"(?m)^b",
    r"\Aab",
    r"^[^/]+(/[^/]+)*$",
    r"(foo|bar)+baz",
    r"^(Always|Never|IfNotPresent)$",
    r"[\x41-\x43]+",
    r"a{0}",
    r"a+?b",
]
ALPHABET = "ab-c1 ./*xfoHLE9\n"


@pytest.mark.parametrize("pattern", COMMON)
def test_matches_as_python_re_where_the_two_agree(pattern):
    rng = random.Random(pattern)
    words = ["", "a", "abc", "my-name-1", "-bad", "* * * * */5", "10ms5s", "192.168.0.1", "hello", "HeLLo", "foo bar"]
    words += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 14))) for _ in range(400)]
    python = re.compile(pattern)
    ours = re2(pattern)
    for word in words:
        if not word.endswith("\n"):  # Python's $ also matches before a final newline; RE2's does not
            assert ours.search(word) == (python.search(word) is not None), (pattern, word)


def test_re2_semantics_where_python_differs():
    assert not re2(r"^a$").search("a\n")  # $ is the end of the text
    assert re2(r"(?m)^a$").search("b\na\nc")
    assert not re2(r"^\w+$").search("héllo")  # \w, \d, \s and \b are ASCII
    assert re2(r"^\pL+$").search("héllo") and not re2(r"^\PL+$").search("héllo")
    assert re2(r"^[[:alpha:]]+$").search("abc") and not re2(r"^[[:alpha:]]+$").search("ab1")
    assert re2(r"^[[:^digit:]]+$").search("ab") and not re2(r"^[[:^digit:]]+$").search("a1")
    assert not re2(r"^\s$").search("\v")  # RE2's \s has no vertical tab
    assert (
        re2(r"^\x{263a}$").search("\u263a") and re2(r"^\Qa.b\E$").search("a.b") and not re2(r"^\Qa.b\E$").search("axb")
    )
    assert re2(r"^\010$").search("\x08") and re2(r"(?s)^.$").search("\n") and not re2(r"^.$").search("\n")
    assert re2(r"^(?P<year>\d{4})-(?<month>\d\d)$").search("2024-05")
    assert re2(r"^a{,2}$").search("a{,2}")  # not a repetition: literal braces


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a)\1",
        r"(?=a)",
        r"(?!a)",
        r"(?<=a)b",
        r"(?<!a)b",
        r"a**",
        r"a+*",
        r"*a",
        r"+",
        r"a{1001}",
        r"a{3,2}",
        r"[a",
        r"(a",
        r"a)",
        "\\",
        r"\e",
        r"[z-a]",
        r"\Z",
        r"(?<>a)",
        r"\8",
    ],
)
def test_what_re2_refuses_is_an_error(pattern):
    with pytest.raises(Re2Error):
        re2(pattern)


def test_a_unicode_script_is_matched():
    assert re2(r"^\p{Greek}+$").search("αβγ") and not re2(r"^\p{Greek}+$").search("abc")


def test_repetitions_multiplied_past_1000_are_refused_as_go_refuses_them():
    with pytest.raises(Re2Error, match="invalid repetition size") as caught:
        re2(r"((a{100}){100}){100}")
    assert not isinstance(caught.value, TooLarge)


def test_a_program_past_the_memory_budget_is_too_large_not_invalid():
    with pytest.raises(TooLarge, match="pattern too large"):
        re2(r"\pL{1000}")


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"^(a+)+$", "a" * 200_000 + "!"),
        (r"^(a|aa)+$", "a" * 200_000 + "!"),
        (r"(x+x+)+y", "x" * 100_000),
        (r"^((a*)*)*b$", "a" * 100_000),
        (r"^(\w+\s?)*$", "word " * 20_000 + "!"),
        (r"(.*a){12}", "a" * 10_000 + "b"),
    ],
)
def test_catastrophic_patterns_give_the_answer_a_backtracking_engine_would_take_ages_for(pattern, text):
    assert re2(pattern).search(text) is bool(re.fullmatch(r"\(\.\*a\)\{12\}", pattern))


def test_a_refusal_is_re2s_message_and_nothing_reaches_stderr(capfd):
    with pytest.raises(Re2Error) as caught:
        re2(r"(a")
    assert str(caught.value) == "missing ): (a"
    assert capfd.readouterr().err == ""


def test_a_text_with_a_lone_surrogate_is_matched_as_go_reads_it():
    assert re2(r"^a.b$").search("a\ud800b") and not re2(r"^ab$").search("a\ud800b")


def test_the_keyword_reports_a_mismatch_and_a_refused_pattern():
    validator = type("V", (), {"is_type": staticmethod(lambda value, kind: isinstance(value, str))})()
    assert [e.message for e in pattern_keyword(validator, "^a$", "b", {})] == ["'b' does not match '^a$'"]
    assert list(pattern_keyword(validator, "^a$", "a", {})) == []
    assert list(pattern_keyword(validator, "^a$", 5, {})) == []
    assert [e.message for e in pattern_keyword(validator, "(a", "a", {})] == [
        "the schema's pattern '(a' is not valid RE2: missing ): (a"
    ]
