"""Writing reports: to stdout, or atomically to a file (a temp file renamed over the target)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Write text to path so that readers see the old content or the new, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_output(text: str, path: Path | None) -> None:
    """The report on stdout, or in path."""
    if path is None:
        sys.stdout.write(text)
    else:
        write_atomically(path, text)
