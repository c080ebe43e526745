"""Writing reports: to stdout, or atomically to a file (model.writer.write_atomically)."""

from __future__ import annotations

import sys
from pathlib import Path

from model.writer import write_atomically


def write_output(text: str, path: Path | None) -> None:
    """The report on stdout (no path, or -), or in path (a regular file: see write_atomically)."""
    if path is None or str(path) == "-":
        sys.stdout.write(text)
    else:
        write_atomically(path, text)
