"""field_change: one changed field as people read it, redacted and, unless full, shortened.

The config checksum reads "config changed"; a file a ConfigMap holds shows its changed lines
(each secret value in it cut out whole first); secret-like values read "(redacted)"; two images
of one repository read as their versions. Unless full, long values are summarised and long
one-line values cut to where they differ (pipeline.diff.long_values).
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from kube.checksum import CONFIG_CHECKSUM_ANNOTATION
from kube.images import InvalidImage, parse_image
from pipeline.diff.long_values import clipped, elided, is_long, summarised, value_room
from pipeline.diff.model import FieldChange
from pipeline.diff.paths import format_path, item_key, lookup
from pipeline.diff.redact import REDACTED, redact, redact_texts, secret_field, sensitive


def field_change(
    kind: str,
    parts: list[Any],
    before: Any,
    after: Any,
    old: dict[str, Any],
    new: dict[str, Any],
    full: bool = True,
    title: str = "",
) -> FieldChange:
    """The change of the field at parts (normalized) of a resource of this kind from before to after (None: absent).

    title: how reports name the resource (for the room a shortened value may take on one line).
    """
    path = format_path(parts)
    parts = _named(parts, old, new)
    if parts and parts[-1] == CONFIG_CHECKSUM_ANNOTATION:
        return FieldChange(
            path,
            _shown(before) if before is not None else None,
            _shown(after) if after is not None else None,
            note="config changed",
        )
    if (
        isinstance(before, str)
        and isinstance(after, str)
        and ("\n" in before or "\n" in after)
        and not secret_field(kind, parts)
    ):
        if not full and (is_long(before) or is_long(after)):
            return summarised(path, before, after)  # counts only: nothing of the text is shown
        # A file: its changed lines, each secret value cut out whole (however many lines) first.
        file_name = str(parts[-1]) if parts else ""
        lines = _line_diff(*redact_texts(file_name, before, after))
        return FieldChange(
            path,
            f"{before.count(chr(10))} lines",
            f"{after.count(chr(10))} lines",
            lines=lines if full else tuple(map(clipped, lines)),
        )
    if sensitive(kind, parts, before) or sensitive(kind, parts, after):
        return FieldChange(path, None if before is None else REDACTED, None if after is None else REDACTED)
    if parts and parts[-1] == "image":
        before, after = _short_images(before, after)
    before = None if before is None else redact(kind, parts, before)
    after = None if after is None else redact(kind, parts, after)
    if full:
        return FieldChange(path, _shown(before), _shown(after))
    if is_long(before) or is_long(after):
        return summarised(path, before, after)
    return FieldChange(path, *elided(_shown(before), _shown(after), value_room(len(title) + len(path))))


def _named(parts: list[Any], old: dict[str, Any], new: dict[str, Any]) -> list[Any]:
    """parts with list indexes replaced by the item's [name] where the item has one (for redaction)."""
    named = list(parts)
    for index, part in enumerate(parts):
        if isinstance(part, int):
            item = lookup(new, parts[: index + 1]) or lookup(old, parts[: index + 1])
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                named[index] = item_key(item["name"])
    return named


def _line_diff(before: str, after: str) -> tuple[str, ...]:
    """The changed lines of two redacted texts, without the ---/+++ header."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=1)
    return tuple(list(lines)[2:])


def _short_images(before: Any, after: Any) -> tuple[Any, Any]:
    """Two references of the same repository read as their versions: 1.4.2 -> 1.5.0."""
    try:
        old, new = parse_image(before), parse_image(after)
    except (InvalidImage, TypeError):
        return before, after
    if (old.registry, old.repository) != (new.registry, new.repository):
        return before, after

    def version(ref) -> str:
        digest = f"@{ref.digest.split(':')[0]}:{ref.digest.split(':')[1][:12]}" if ref.digest else ""
        return f"{ref.tag or ''}{digest}" or "latest"

    return version(old), version(new)


def _shown(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(", ", ": "))
