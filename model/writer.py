"""Edits of stage files: comments, key order and formatting kept, validated, written atomically.

Every command that changes a stage file (promote, set-image, scale, stop, start, rollback,
tenant add/remove) goes through here: load the file round-trip (ruamel.yaml), apply the change,
validate the result as the loader would read it, then replace the file in one rename. A failure
at any point leaves the file as it was.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from model.errors import InputError, Problem
from model.file_kinds import refuse_not_a_file


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line the user wrote on one
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load_round_trip(text: str) -> CommentedMap:
    """A stage file's text as an editable document that remembers its comments and layout."""
    document = _yaml().load(text)
    return document if document is not None else CommentedMap()


def dump_round_trip(document: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(document, stream)
    return stream.getvalue()


def to_round_trip(value: Any) -> Any:
    """Plain data as round-trip nodes; a small mapping of scalars reads as the files write it: {a: 1, b: 2}."""
    if not isinstance(value, (dict, list)):
        return value
    node = load_round_trip(dump_round_trip(value))
    _small_maps_inline(node)
    return node


def _small_maps_inline(node: Any) -> None:
    if isinstance(node, dict):
        if 0 < len(node) <= 4 and all(not isinstance(v, (dict, list)) for v in node.values()):
            node.fa.set_flow_style()
        for value in node.values():
            _small_maps_inline(value)
    elif isinstance(node, list):
        for value in node:
            _small_maps_inline(value)


@dataclass(frozen=True)
class FileEdit:
    """A file's text before and after an edit."""

    path: Path
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def read_exact(path: Path) -> str:
    """A file's text as it is on disk: line endings not translated (a CRLF file stays CRLF)."""
    with open(path, encoding="utf-8", newline="") as stream:
        return stream.read()


def edit_text(path: Path, change: Callable[[CommentedMap], None]) -> FileEdit:
    """Apply change to the file's round-trip document; nothing is written.

    The edited text keeps the file's line endings: a file written on Windows (CRLF) comes back CRLF.
    """
    before = read_exact(path)
    crlf = "\r\n" in before
    document = load_round_trip(before.replace("\r\n", "\n") if crlf else before)
    change(document)
    after = dump_round_trip(document)
    return FileEdit(path, before, after.replace("\n", "\r\n") if crlf else after)


def check_file_target(path: Path, follow_symlinks: bool = False) -> None:
    """Refuse a target that exists and is not a regular file: renaming over it would destroy it.

    A symbolic link is refused too unless follow_symlinks: writing would either replace the link
    or write wherever it points (/etc/passwd, for a CI job running as root).
    """
    if path.is_symlink() and not follow_symlinks:
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    f"{path} is a symbolic link (to {os.readlink(path)}): nothing was written",
                    "name the file itself, or remove the link",
                )
            ]
        )
    try:
        mode = path.stat().st_mode  # through a symlink: what would be overwritten is what it names
    except FileNotFoundError:
        return
    refuse_not_a_file(mode, str(path), "nothing was written", "name a regular file (or - for standard output)")


def write_atomically(path: Path, text: str, follow_symlinks: bool = False) -> None:
    """Write text to path so that readers see the old content or the new, never half of it.

    Only a regular file (or an absent path) is a target: a device, a FIFO, a socket or a
    directory is refused, since the rename that makes the write atomic would replace it; so is
    a symbolic link, unless follow_symlinks (then the file it names is written, the link kept).
    The file keeps its mode; the text is written as given (its line endings included).
    """
    check_file_target(path, follow_symlinks)
    if follow_symlinks:
        path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_still_as_read(edit: FileEdit) -> None:
    """Refuse an edit whose file changed on disk (or went away) since it was read."""
    try:
        current = read_exact(edit.path)
    except FileNotFoundError:
        current = None
    if current != edit.before:
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    f"{edit.path} changed while it was being edited; nothing was written",
                    "run the command again",
                )
            ]
        )


def apply_edit(edit: FileEdit) -> None:
    """Write an edit, unless the file changed on disk since it was read (then nothing is written)."""
    check_still_as_read(edit)
    if edit.changed:
        write_atomically(edit.path, edit.after, follow_symlinks=True)


def replace_mapping(target: CommentedMap, source: Any) -> None:
    """Make target equal to source in place, key by key, keeping target's comments and layout.

    Copying whole nodes from another file would carry that file's comments along (ruamel keeps a
    comment that precedes the next key on the node before it); editing in place does not.
    """

    def change() -> None:
        for key in [k for k in target if k not in source]:
            del target[key]
        for key, value in source.items():
            current = target.get(key)
            if isinstance(value, dict) and isinstance(current, CommentedMap):
                replace_mapping(current, value)
            elif key not in target or not _same(current, value):
                target[key] = to_round_trip(_plain(value))  # equal values keep their quoting as written

    keep_trailing_comment(target, change)


def _same(current: Any, value: Any) -> bool:
    """Equal as values and as types that render alike (1 is not 1.0, True is not 1)."""
    return (
        current == value
        and isinstance(current, bool) == isinstance(value, bool)
        and (isinstance(current, float) == isinstance(value, float))
    )


def _last_slot(node: Any) -> tuple[CommentedMap, Any] | None:
    """The deepest last key of a block mapping: where ruamel keeps the comment that follows the block."""
    slot = None
    while isinstance(node, CommentedMap) and len(node) and not node.fa.flow_style():
        key = list(node)[-1]
        slot, node = (node, key), node[key]
    return slot


def keep_trailing_comment(mapping: CommentedMap, change: Callable[[], None]) -> None:
    """Run change, keeping the lines that follow the mapping's block (comments, blank lines) after it.

    Keys added at the end or removed from it would otherwise take those lines along or leave
    them inside the block. An end-of-line comment stays with its own key.
    """
    before = _last_slot(mapping)
    entry = before[0].ca.items.get(before[1]) if before else None
    token = entry[2] if entry and len(entry) > 2 else None
    following = None
    if isinstance(token, CommentToken) and "\n" in token.value:
        own, following = token.value.split("\n", 1)
        if following:
            token.value = own + "\n"
    change()
    after = _last_slot(mapping)
    if not following or after is None or after == before:
        if following and token is not None and after == before:
            token.value += following
        return
    slots = after[0].ca.items.setdefault(after[1], [None, None, None, None])
    existing = slots[2]
    if isinstance(existing, CommentToken):
        existing.value = existing.value.rstrip("\n") + "\n" + following
    else:
        slots[2] = CommentToken("\n" + following, CommentMark(0), None)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
