"""Reading a stage file's bytes: only a regular file, within the size limit, in UTF-8.

What a path is gets judged before it is opened (a FIFO would block the reader forever, a
device never end) and again on the open, non-blocking descriptor (so that a swap between the
two looks cannot either); at most MAX_FILE_BYTES + 1 bytes are ever read. Every refusal is an
InputError naming the file, and the line and column where the text stops being UTF-8.
"""

from __future__ import annotations

import os
from pathlib import Path

from model.errors import InputError, Location, Problem
from model.file_kinds import refuse_not_a_file
from model.limits import MAX_FILE_BYTES, size_text


def read_stage_text(path: Path, name: str) -> str:
    """The text of a stage file, read as load_document reads it (a regular file, within the size limit, UTF-8)."""
    data = read_stage_bytes(path, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError([not_utf8(name, data, error)]) from None


def read_stage_bytes(path: Path, name: str) -> bytes:
    """The bytes of a stage file: a regular file of at most MAX_FILE_BYTES, else InputError.

    Judged before anything is read, so that a FIFO or a device never blocks, and again on the
    open file (non-blocking), so that a swap between the two looks cannot either.
    """
    try:
        _check_regular(os.stat(path).st_mode, path, name)
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError([Problem(None, "", f"{name}: no such file")]) from None
    except OSError as error:
        raise InputError([Problem(None, "", f"{name}: cannot be read ({error.strerror or error})")]) from None
    try:
        with os.fdopen(handle, "rb") as stream:
            _check_regular(os.fstat(stream.fileno()).st_mode, path, name)
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InputError([Problem(None, "", f"{name}: cannot be read ({error.strerror or error})")]) from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError([too_large(name, os.stat(path).st_size if path.exists() else len(data))])
    return data


def check_file_kind(path: Path, name: str) -> None:
    """Refuse a path that exists and is not a regular file (a FIFO, device, socket, directory).

    For a file whose content is given in memory: what the file on disk is still matters, since
    the next step reads or writes it.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    _check_regular(mode, path, name)


def _check_regular(mode: int, path: Path, name: str) -> None:
    hint = f"a stage file is a regular file; put the YAML text in {path.name}"
    refuse_not_a_file(mode, name, "nothing was read", hint)


def too_large(name: str, size: int) -> Problem:
    return Problem(
        Location(name, 1, 1),
        "",
        f"the file is {size:,} bytes; a stage file is at most {size_text(MAX_FILE_BYTES)} ({MAX_FILE_BYTES:,} bytes)",
        "a stage file holds settings, not data: keep large content (documents, prompts, certificates) "
        "in the application's image or a volume",
    )


def not_utf8(name: str, data: bytes, error: UnicodeDecodeError) -> Problem:
    """Where the first byte that is not UTF-8 sits, as an editor counts (line, and character in it)."""
    line_start = data.rfind(b"\n", 0, error.start) + 1
    line = data.count(b"\n", 0, error.start) + 1
    column = len(data[line_start : error.start].decode("utf-8", errors="replace")) + 1
    return Problem(
        Location(name, line, column),
        "",
        f"not UTF-8 text: byte 0x{data[error.start]:02x} cannot start or continue a character",
        "save the file as UTF-8 (iconv -f LATIN1 -t UTF-8, or your editor's encoding menu)",
    )
