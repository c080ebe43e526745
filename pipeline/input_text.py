"""Input files read as text, never more than a limit: a file, a pipe (`<(kustomize build)`) or stdin.

Bytes are decoded as UTF-8 (a byte order mark dropped), or as UTF-16 when a UTF-16 byte order
mark says so, as kubectl's YAML reader does. A file over the limit is refused before it is
read whole (a device such as /dev/zero included); a byte that is not UTF-8 is named with its
line and column.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from pathlib import Path

from model.errors import InputError, Location, Problem
from model.stage_file import not_utf8

STDIN = "-"


class TooLarge(InputError):
    """An input over the size limit."""


def display_name(path: Path) -> str:
    """How a path is named in messages: `<stdin>` for -."""
    return "<stdin>" if str(path) == STDIN else str(path)


def read_text(path: Path, limit: int, limit_hint: str) -> str:
    """The text of path (or stdin for -), at most limit bytes; InputError naming the file otherwise."""
    return decode(read_bytes(path, limit, limit_hint), display_name(path))


def read_bytes(path: Path, limit: int, limit_hint: str) -> bytes:
    """The bytes of path (or stdin for -), at most limit; TooLarge (an InputError) past it."""
    name = display_name(path)
    size = None
    try:
        if str(path) == STDIN:
            stream = getattr(sys.stdin, "buffer", None)
            data = stream.read(limit + 1) if stream is not None else sys.stdin.read(limit + 1).encode("utf-8")
        else:
            with open(path, "rb") as file:
                status = os.fstat(file.fileno())
                if stat.S_ISREG(status.st_mode):
                    size = status.st_size
                    data = file.read() if size <= limit else b""
                else:  # a pipe or a device: never more than the limit
                    data = file.read(limit + 1)
    except OSError as error:
        raise InputError([Problem(None, "", f"{name}: cannot be read ({error.strerror or error})")]) from None
    except UnicodeError as error:  # a text stdin that is not UTF-8
        raise InputError([Problem(None, "", f"{name}: not UTF-8 text ({error})")]) from None
    if len(data) > limit or (size or 0) > limit:
        what = f"{size} bytes, more than" if size else "more than"
        raise TooLarge([Problem(None, "", f"{name}: {what} the {limit} bytes read here", limit_hint)])
    return data


def decode(data: bytes, name: str) -> str:
    """UTF-8 (or UTF-16 with its byte order mark) text; InputError at the first byte that is not."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InputError(
            [Problem(Location(name, 1, 1), "", "UTF-32 text is not read", "save the file as UTF-8 (iconv -t UTF-8)")]
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise InputError(
                [Problem(Location(name, 1, 1), "", f"not UTF-16 text as its byte order mark says ({error.reason})")]
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError([not_utf8(name, data, error)]) from None
