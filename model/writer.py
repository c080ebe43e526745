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

from model.errors import InputError, Problem


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


def edit_text(path: Path, change: Callable[[CommentedMap], None]) -> FileEdit:
    """Apply change to the file's round-trip document; nothing is written."""
    before = path.read_text(encoding="utf-8")
    document = load_round_trip(before)
    change(document)
    return FileEdit(path, before, dump_round_trip(document))


def write_atomically(path: Path, text: str) -> None:
    """Write text to path so that readers see the old content or the new, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def apply_edit(edit: FileEdit) -> None:
    """Write an edit, unless the file changed on disk since it was read (then nothing is written)."""
    current = edit.path.read_text(encoding="utf-8")
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
    if edit.changed:
        write_atomically(edit.path, edit.after)


def replace_mapping(target: CommentedMap, source: Any) -> None:
    """Make target equal to source in place, key by key, keeping target's comments and layout.

    Copying whole nodes from another file would carry that file's comments along (ruamel keeps a
    comment that precedes the next key on the node before it); editing in place does not.
    """
    for key in [k for k in target if k not in source]:
        del target[key]
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), CommentedMap):
            replace_mapping(target[key], value)
        elif key not in target or target[key] != value or isinstance(target[key], bool) != isinstance(value, bool):
            target[key] = to_round_trip(_plain(value))  # equal values keep their quoting as written


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
