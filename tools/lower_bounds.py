"""Print pip constraints pinning every runtime dependency of pyproject.toml at its lower bound.

usage: python tools/lower_bounds.py > lower.txt; pip install -c lower.txt .
tests/test_install.py installs the package this way and runs the CLI, so the ranges in
pyproject.toml are ranges the code works with, not guesses. A dependency without a `>=` bound
is an error: every range must say where it starts.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")


def lower_bounds(dependencies: list[str]) -> list[str]:
    """`name==lower` for each requirement; a requirement with no `>=` bound raises ValueError."""
    pins = []
    for requirement in dependencies:
        match = _REQUIREMENT.match(requirement)
        if match is None:
            raise ValueError(f"cannot read the requirement {requirement!r}")
        name, spec = match.groups()
        lower = re.search(r">=\s*([0-9][0-9A-Za-z.]*)", spec.split(";")[0])
        if lower is None:
            raise ValueError(f"{name} has no lower bound (>=) in {requirement!r}")
        pins.append(f"{name}=={lower.group(1)}")
    return pins


def main() -> int:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    try:
        print("\n".join(lower_bounds(project["dependencies"])))
    except ValueError as error:
        print(f"lower_bounds: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
