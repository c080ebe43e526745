"""Helpers for tests that break a copy of environments/ and look at what the loader says.

    edited = edit(environments_copy, "prod.yaml", Line("  retention: "), "  retension: 3\n")
    error = load_error(environments_copy, "prod")
    assert_located(only_problem(error), edited.path, *edited.at("retension"))

Expected positions are computed from the edited text (`Edited.at`), never typed in by hand.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from model.errors import InputError, Problem
from model.loader import load_environment
from pipeline.cli import main


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset in text, as an editor shows them."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


@dataclass(frozen=True)
class Edited:
    """A stage file after one edit: its path, its new text and where the new text sits in it."""

    path: Path
    text: str
    start: int  # offset of the inserted text
    end: int  # offset just past it

    def at(self, needle: str) -> tuple[int, int]:
        """Line and column of the first occurrence of needle inside the inserted text."""
        offset = self.text.find(needle, self.start, self.end)
        assert offset >= 0, f"{needle!r} is not part of the inserted text {self.text[self.start : self.end]!r}"
        return position(self.text, offset)

    def find(self, needle: str) -> tuple[int, int]:
        """Line and column of the first occurrence of needle anywhere in the edited file."""
        offset = self.text.find(needle)
        assert offset >= 0, f"{needle!r} is not in {self.path.name}"
        return position(self.text, offset)


@dataclass(frozen=True)
class Line:
    """An edit anchor: the one whole line (newline included) that starts with prefix.

    Anchoring on a key rather than on its value keeps a test working when the value changes.
    """

    prefix: str

    def resolve(self, text: str, file: str) -> str:
        lines = [line for line in text.splitlines(keepends=True) if line.startswith(self.prefix)]
        assert len(lines) == 1, f"{len(lines)} lines of {file} start with {self.prefix!r}; make the anchor unique"
        return lines[0]


def edit(directory: Path, file: str, old: str | Line, new: str) -> Edited:
    """Replace the one occurrence of old in directory/file by new; fails if old is absent or ambiguous."""
    path = directory / file
    text = path.read_text(encoding="utf-8")
    if isinstance(old, Line):
        old = old.resolve(text, file)
    count = text.count(old)
    assert count == 1, f"{old!r} occurs {count} times in {file}; make the edit anchor unique"
    start = text.index(old)
    edited = text[:start] + new + text[start + len(old) :]
    path.write_text(edited, encoding="utf-8")
    return Edited(path, edited, start, start + len(new))


def load_error(directory: Path, stage: str = "prod") -> InputError:
    """The error that loading stage from directory raises (the test fails if it loads)."""
    with pytest.raises(InputError) as caught:
        load_environment(directory, stage)
    return caught.value


def only_problem(error: InputError) -> Problem:
    """The single problem of error; fails the test, listing them, if there are more or none."""
    assert len(error.problems) == 1, f"expected one problem, got:\n{error.report()}"
    return error.problems[0]


def same_file(reported: str, path: Path) -> bool:
    """Whether a file name in a problem (relative to the working directory, or absolute) is path."""
    return Path(os.path.abspath(reported)) == Path(os.path.abspath(path))


def assert_located(problem: Problem, path: Path, line: int, column: int) -> None:
    """The problem points at path:line:column."""
    assert problem.location is not None, f"problem has no location: {problem}"
    assert same_file(problem.location.file, path), f"{problem.location.file} is not {path}"
    assert (problem.location.line, problem.location.column) == (line, column), str(problem)


def report_lines(error: InputError) -> list[str]:
    """The first line of each problem block of error.report(), in the order a user reads them."""
    return [line for line in error.report().splitlines() if line and not line.startswith(" ")]


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


def run_cli(capsys, *argv: str) -> CliResult:
    """Run `pipeline ARGV...` in-process and capture what it printed."""
    capsys.readouterr()  # drop anything printed before
    code = main(list(argv))
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


def tree(directory: Path) -> dict[str, bytes]:
    """Every file under directory with its content, to show that nothing was written."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}
