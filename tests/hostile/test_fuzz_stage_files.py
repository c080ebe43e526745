"""Fuzzed stage files: loading, rendering and checking never fail inside (exit 3) or show a traceback.

Hypothesis mutates the repository's own stage files (defaults.yaml, a stage file, stages.yaml):
values replaced by other types, by floats, huge, negative, infinite and NaN numbers, by deep
nesting; anchors and aliases, tags, duplicated and deleted lines and keys, renamed keys,
control characters, other encodings, byte order marks, cuts. Whatever comes out either loads
(and then renders) or is refused as bad input, an InputError whose report says where.

Two budgets, about a minute in all: the loader and render_stage directly for 800 cases, and the
whole command line (`pipeline check`, policies included) for 200.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from model.errors import InputError
from model.loader import load_environment
from pipeline.cli import main
from pipeline.render import render_stage
from tests.conftest import ENVIRONMENTS

FILES = ("prod.yaml", "defaults.yaml", "dev.yaml", "staging.yaml", "stages.yaml")
TEXTS = {name: (ENVIRONMENTS / name).read_text(encoding="utf-8") for name in FILES}
VALUE_LINE = re.compile(r"^(?P<lead>\s*(?:- )?[\w.\"'-]+:[ \t]+)(?P<value>[^#\n]*?)(?P<tail>[ \t]*(?:#.*)?)$", re.M)
FLOW_VALUE = re.compile(r"(?<=[{,] )(?P<key>[\w.-]+): (?P<value>[^,}\]\n]+)")
NUMBERS = (
    "2.0",
    "1.0",
    "8080.0",
    "-1",
    "0",
    "-0.0",
    "1e30",
    "1e308",
    "-1e308",
    "1e400",
    "1e-400",
    ".inf",
    "-.inf",
    ".nan",
    str(2**31),
    str(2**63),
    str(10**30),
    "9" * 4400,
    "0x7fffffff",
    "0o777",
    "1_000",
)
OTHER_VALUES = (
    "~",
    "''",
    '""',
    "true",
    "[]",
    "{}",
    "[1, 2]",
    "{a: 1}",
    '"3"',
    "yes",
    "2026-11-24",
    "10:30",
    "500m",
    "1e400Ei",
    '"1e400"',
    '"-1"',
    "512MB",
    '"\\e[2J\\rPASS prod"',
    '"\\u202eevil"',
    '"\\0"',
    "sk-proj-" + "Ab3" * 10,
    "hunter2",
)
TAGS = ("!!set ", "!!omap ", "!!python/object/apply:os.system ", "!Ref ", "!!binary ", "!!str ", "!!int ", "!custom ")
INSERTS = ("&a ", "*a", "<<: *a", "\x00", "\x1b", "\x85", "\t", "\ufeff", "\u2028", "\r", "---\n", "? ", "- ", "{", "]")


def yaml_number(value: float | int) -> str:
    if isinstance(value, float) and value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


def nested(depth: int, opener: str) -> str:
    closer = {"[": "]", "{a: ": "}"}[opener]
    return opener * depth + ("1" if opener == "{a: " else "") + closer * depth


values = st.one_of(
    st.sampled_from(NUMBERS),
    st.sampled_from(OTHER_VALUES),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(yaml_number),
    st.text(max_size=40).map(json.dumps),
    st.builds(nested, st.integers(1, 120), st.sampled_from(["[", "{a: "])),
    st.sampled_from([300, 65_536, 65_537]).map(lambda n: "x" * n),  # around the string limit
    st.builds(lambda tag, value: tag + value, st.sampled_from(TAGS), st.sampled_from(["[1]", "{a: 1}", "x", "1"])),
)


@st.composite
def mutated(draw) -> tuple[str, bytes]:
    """(file name, its mutated bytes): one to three mutations of one of the repository's files."""
    name = draw(st.sampled_from(FILES))
    text = TEXTS[name]
    for _ in range(draw(st.integers(1, 3))):
        text = draw(_mutation(text))
    data = text.encode("utf-8", errors="surrogatepass")
    return name, draw(_encoding(data))


@st.composite
def _mutation(draw, text: str) -> str:
    lines = text.splitlines(keepends=True) or ["\n"]
    kind = draw(
        st.sampled_from(["value", "value", "flow", "delete", "duplicate", "rename", "alias", "insert", "indent"])
    )
    index = draw(st.integers(0, len(lines) - 1))
    if kind in ("value", "rename", "alias"):
        spots = list(VALUE_LINE.finditer(text))
        if spots:
            spot = draw(st.sampled_from(spots))
            if kind == "value":
                return text[: spot.start("value")] + draw(values) + text[spot.end("value") :]
            if kind == "rename":
                key = draw(st.sampled_from(["1", "true", "null", "k" * 300, "x-typo", '"\\e"', "<<", "? [a]"]))
                lead = spot["lead"]
                renamed = re.sub(r"[\w.\"'-]+(?=:)", lambda _: key, lead, count=1)
                return text[: spot.start()] + renamed + text[spot.end("lead") :]
            later = [other for other in spots if other.start() > spot.start()]
            if later:  # the alias first: replacing it leaves the anchor's offset as it was
                other = draw(st.sampled_from(later))
                text = text[: other.start("value")] + "*a" + text[other.end("value") :]
            return text[: spot.start("value")] + "&a " + text[spot.start("value") :]
    if kind == "flow":
        spots = list(FLOW_VALUE.finditer(text))
        if spots:
            spot = draw(st.sampled_from(spots))
            return text[: spot.start("value")] + draw(values) + text[spot.end("value") :]
    if kind == "delete":
        del lines[index]
    elif kind == "duplicate":
        lines.insert(index, lines[index])
    elif kind == "insert":
        line = lines[index]
        at = draw(st.integers(0, len(line)))
        lines[index] = line[:at] + draw(st.sampled_from(INSERTS + TAGS)) + line[at:]
    elif kind == "indent":
        lines[index] = (
            draw(st.sampled_from([" ", "  ", "\t"])) + lines[index] if draw(st.booleans()) else lines[index].lstrip()
        )
    return "".join(lines)


@st.composite
def _encoding(draw, data: bytes) -> bytes:
    kind = draw(st.sampled_from(["utf-8"] * 6 + ["bom", "utf-16", "latin-1", "cut", "crlf", "byte"]))
    if kind == "bom":
        return b"\xef\xbb\xbf" + data
    if kind == "utf-16":
        return data.decode("utf-8", errors="replace").encode("utf-16")
    if kind == "latin-1":
        return data.decode("utf-8", errors="replace").encode("latin-1", errors="replace")
    if kind == "cut":
        return data[: draw(st.integers(0, len(data)))]
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n")
    if kind == "byte":
        at = draw(st.integers(0, len(data)))
        return data[:at] + bytes([draw(st.integers(0, 255))]) + data[at:]
    return data


@pytest.fixture(scope="module")
def environments(tmp_path_factory) -> Path:
    """One copy of environments/ for the module; each example writes one file and puts it back."""
    copy = tmp_path_factory.mktemp("fuzz") / "environments"
    shutil.copytree(ENVIRONMENTS, copy, symlinks=False)
    return copy


def stage_of(name: str) -> str:
    return "prod" if name in ("defaults.yaml", "stages.yaml") else name.removesuffix(".yaml")


def assert_reported(error: InputError) -> None:
    """A refusal names what is wrong: every problem has a message, the report prints."""
    assert error.problems and all(problem.message for problem in error.problems)
    assert "Traceback" not in error.report()


@settings(
    max_examples=800,
    deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_a_mutated_stage_file_loads_and_renders_or_is_refused(environments, case):
    name, data = case
    path = environments / name
    path.write_bytes(data)
    try:
        try:
            env = load_environment(environments, stage_of(name))
        except InputError as error:
            event("refused")
            assert_reported(error)
            return
        event("loaded")
        try:
            render_stage(env)
        except InputError as error:
            assert_reported(error)
    finally:
        path.write_text(TEXTS[name], encoding="utf-8")


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_pipeline_check_of_a_mutated_stage_file_never_fails_inside(environments, capsys, case):
    name, data = case
    path = environments / name
    path.write_bytes(data)
    try:
        capsys.readouterr()
        code = main(["check", "--environments", str(environments), "--stage", stage_of(name)])
        out, err = capsys.readouterr()
    finally:
        path.write_text(TEXTS[name], encoding="utf-8")
    event(f"exit {code}")
    assert code in (0, 1, 2), err
    assert "Traceback" not in out + err and "internal error" not in err, err
    if code == 2:
        assert "invalid input" in err
