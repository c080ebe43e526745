"""Errors about input: each says where (file:line:column and key path), what, and how to fix it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from model.printable import printable


@dataclass(frozen=True, order=True)
class Location:
    """A position in an input file, 1-based as editors show it."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Location | None:
        """The inverse of as_dict; None for no data or no file."""
        if not data or data.get("file") is None:
            return None
        return cls(data["file"], data.get("line") or 1, data.get("column") or 1)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, at a place, with what was expected and a hint."""

    location: Location | None
    key_path: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        """The problem as printed: what input put in it (names, values) can neither forge output nor leak a key."""
        where = f"{self.location}: " if self.location else ""
        path = f"{self.key_path}: " if self.key_path else ""
        hint = f"\n    hint: {self.hint}" if self.hint else ""
        return printable(f"{where}{path}{self.message}{hint}")


class InputError(Exception):
    """Bad input or usage: the CLI reports it and exits 2, never with a traceback."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | tuple[Problem, ...] | str):
        if isinstance(problems, str):
            problems = [Problem(None, "", problems)]
        self.problems = tuple(problems)
        super().__init__(self.report())

    def report(self) -> str:
        """All problems, one block each, in file order."""
        ordered = sorted(self.problems, key=lambda p: (p.location is None, p.location or Location("", 0, 0)))
        return "\n".join(str(p) for p in ordered)


class InvalidEnvironment(InputError):
    """A stage file (or the defaults or stage order it builds on) is not valid."""


class UnknownStage(InputError):
    """A stage that the stage order does not list."""
