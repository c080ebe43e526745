"""What a path on disk is, when it is not a regular file: read or written, only a regular file will do.

Reading a FIFO blocks forever, a device never ends; renaming over one (an atomic write) destroys it.
"""

from __future__ import annotations

import stat

from model.errors import InputError, Problem

_NOT_A_FILE = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _not_a_file(mode: int) -> str | None:
    """What a file mode says the path is ("a named pipe (FIFO)", ...) when it is not a regular file, else None."""
    return next((what for test, what in _NOT_A_FILE if test(mode)), None)


def refuse_not_a_file(mode: int, name: str, outcome: str, hint: str) -> None:
    """InputError "<name> is a named pipe (FIFO), not a file: <outcome>" when the mode is not a regular file's."""
    what = _not_a_file(mode)
    if what:
        raise InputError([Problem(None, "", f"{name} is {what}, not a file: {outcome}", hint)])
