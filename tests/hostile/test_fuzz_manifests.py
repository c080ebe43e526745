"""Fuzzed manifests: `pipeline check --manifests` never fails inside (exit 3) and never shows a traceback.

Hypothesis mutates the repository's own rendered manifests (rendered/prod/**.yaml): values
replaced by other types, floats, huge or negative numbers, deep nesting, control characters;
the text given anchors and aliases, tags, duplicate lines, bytes in other encodings, cuts and
bombs. Whatever comes out, the command judges it (exit 0 or 1) or refuses it as bad input
(exit 2) with a message, in-process, a few hundred cases in well under a minute.
"""

from __future__ import annotations

import io
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from tests.conftest import ENVIRONMENTS, REPOSITORY, key_paths

RENDERED = REPOSITORY / "rendered" / "prod"
ODD_SCALARS = (
    2.0,
    0.5,
    -1.5,
    1e30,
    1e308,
    -(2**31) - 1,
    2**31,
    2**63,
    -(2**64),
    2**100,
    -1,
    0,
    True,
    None,
    "",
    "x\x1b[2K\rPASS prod\n",
    "\u202eevil",
    "a" * 300,
    "UPPER_case",
    "1e3",
    "0x1F",
    "2026-11-24",
    "10:30",
)
TEXT_INSERTS = (
    "&a ",
    "*a",
    "!foo ",
    "!!set ",
    "!!binary ",
    "!!python/object/apply:os.system ",
    "!Ref ",
    "<<: *a\n",
    "\x00",
    "\x1b",
    "\x85",
    "\u2028",
    "\ufeff",
    "\t",
    "---\n",
    "? [a, b]\n: c\n",
    ".nan",
    "-.inf",
    "9" * 5000,
    "1" * 400,
    "[" * 150,
    "{a: " * 120,
    "'",
    '"\\',
)
BOMB = "\n".join(
    ["bomb:", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"  {chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
)


def _texts() -> list[str]:
    out = []
    for path in sorted(RENDERED.rglob("*.yaml"))[::5]:  # a spread of every kind
        try:
            text = path.read_text(encoding="utf-8")
            if isinstance(yaml.safe_load(text), dict) and "kind" in yaml.safe_load(text):
                out.append(text)
        except (OSError, yaml.YAMLError):  # another run of render replacing the folder: skip that file
            continue
    return out


TEXTS = _texts()


def _nested(depth: int, leaf) -> object:
    for level in range(depth):
        leaf = [leaf] if level % 2 else {"k": leaf}
    return leaf


@st.composite
def data_mutation(draw, text: str) -> bytes:
    """The manifest with values replaced (other types, odd numbers, deep nesting) or keys removed."""
    manifest = yaml.safe_load(text)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in key_paths(manifest) if p]
        path = draw(st.sampled_from(paths))
        parent = manifest
        for part in path[:-1]:
            parent = parent[part]
        choice = draw(st.integers(0, 5))
        if choice == 0 and isinstance(parent, dict):
            del parent[path[-1]]
        elif choice == 1:
            parent[path[-1]] = _nested(draw(st.integers(20, 140)), draw(st.sampled_from(ODD_SCALARS)))
        elif choice == 2:
            parent[path[-1]] = draw(st.floats(allow_nan=False, allow_infinity=False) | st.integers())
        else:
            parent[path[-1]] = draw(st.sampled_from(ODD_SCALARS + ([], {}, ["a"], {"a": 1})))
    return yaml.safe_dump(manifest, allow_unicode=True).encode("utf-8")


@st.composite
def text_mutation(draw, text: str) -> bytes:
    """The text with anchors, aliases, tags, control characters, duplicate lines, cuts, bombs, encodings."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        choice = draw(st.integers(0, 5))
        if choice == 0:
            lines.insert(at, lines[at])  # a duplicate key, or a duplicate item
        elif choice == 1:
            column = draw(st.integers(0, len(lines[at])))
            insert = draw(st.sampled_from(TEXT_INSERTS))
            lines[at] = lines[at][:column] + insert + lines[at][column:]
        elif choice == 2:
            lines = lines[:at] + [lines[at][: draw(st.integers(0, len(lines[at])))]]  # cut short
        elif choice == 3:
            lines.append("\n" + BOMB + "\n")
        else:
            lines[at] = lines[at].replace(": ", ": " + draw(st.sampled_from(TEXT_INSERTS)), 1)
    out = "".join(lines)
    encoding = draw(st.sampled_from(("utf-8", "utf-8", "utf-8", "utf-16", "latin-1", "utf-32")))
    return out.encode(encoding, errors="replace")


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "manifest.yaml"


@pytest.mark.skipif(not TEXTS, reason="rendered/prod is missing: run pipeline render")
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_no_mutated_manifest_fails_inside_or_shows_a_traceback(target, capsys, monkeypatch, data):
    text = data.draw(st.sampled_from(TEXTS), label="file")
    content = data.draw(data_mutation(text) | text_mutation(text), label="content")
    via_stdin = data.draw(st.booleans(), label="stdin")
    if via_stdin:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(content), encoding="utf-8"))
    else:
        target.write_bytes(content)
    source = "-" if via_stdin else str(target)
    code = main(["check", "--environments", str(ENVIRONMENTS), "--manifests", source, "--stage", "prod"])
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), err
    assert "Traceback" not in out + err
    assert "internal error" not in err
    if code == 2:
        assert err.startswith("pipeline check: invalid input\n") and len(err.splitlines()) >= 2, err
    else:
        assert out.startswith(("PASS prod:", "FAIL prod:")), out
