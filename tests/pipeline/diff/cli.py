"""Running `pipeline diff` in this process for tests, and reading its JSON; the foreign corpus's folders."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.cli import main

FOREIGN = Path(__file__).parent / "foreign"
V1, V2 = FOREIGN / "v1", FOREIGN / "v2"


@dataclass(frozen=True)
class Run:
    """A command line run: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    def __repr__(self) -> str:  # what a failed assert shows
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def diff(capsys, *argv: str | Path) -> Run:
    """`pipeline diff ARGV...` in this process: its exit code and output (no traceback, ever)."""
    code = main(["diff", *map(str, argv)])
    out, err = capsys.readouterr()
    result = Run(code, out, err)
    assert "Traceback" not in err, result
    return result


def report(capsys, *argv: str | Path) -> dict:
    """The JSON of a `pipeline diff ARGV... --format json` that succeeds."""
    result = diff(capsys, *argv, "--format", "json")
    assert result.code == 0, result
    return json.loads(result.out)


def only_stage(data: dict) -> dict:
    assert len(data["stages"]) == 1, data["stages"]
    return data["stages"][0]


def classes(stage: dict) -> list[tuple[str, str]]:
    return [(c["rollout"], c["resource"]) for c in stage["changes"]]


def change(stage: dict, resource: str) -> dict:
    return next(c for c in stage["changes"] if c["resource"] == resource)


def field(stage: dict, resource: str, path: str) -> dict:
    return next(f for f in change(stage, resource)["changes"] if f["path"] == path)
