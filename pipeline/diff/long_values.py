"""Long values, summarised: a CRD's schema, a dashboard, a value of many lines reads "changed, N lines".

A diff of foreign manifests (kube-prometheus, a vendor chart) is dominated by a few huge values:
CRD schemas of thousands of lines, Grafana dashboards embedded as JSON in a ConfigMap, minified
JSON of tens of thousands of characters on one line. Unless the diff is asked for in full:

- a CRD's openAPIV3Schema (each version's, and v1beta1's spec.validation) is one field: its
  lines before and after and how many were added and removed (LongValue), whatever changed in it;
- any other value of more than LONG_LINES lines, or with a line longer than LONG_CHARS characters
  (as YAML for a mapping or list), is summarised the same way;
- shorter one-line values longer than VALUE_CHARS show the part that differs, with some context;
- the lines of a line diff are cut at LINE_CHARS.

Lines are counted as the manifest's YAML writes them (a mapping or list: its block YAML).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from pipeline.diff.model import FieldChange, LongValue
from pipeline.diff.paths import format_path, lookup

LONG_LINES = 40  # a value of more lines is summarised
LONG_CHARS = 2000  # a value with a longer line is summarised
VALUE_CHARS = 48  # a one-line value shows at most this much of its difference ...
MIN_VALUE_CHARS = 20  # ... or less, down to this, so that a report line stays within LINE_BUDGET
LINE_BUDGET = 200  # characters of a report line: resource, field path and both values
CONTEXT = 12  # characters kept either side of a difference
LINE_CHARS = 160  # a line of a line diff is cut here
CUT = "..."

_CRD_SCHEMA_ROOTS = (("spec", "validation", "openAPIV3Schema"),)
_CRD_VERSION_SCHEMA = ("schema", "openAPIV3Schema")


def schema_paths(kind: str, normalized: Any) -> list[list[Any]]:
    """Where a CustomResourceDefinition's schemas sit in its comparison form (none for other kinds)."""
    if kind != "CustomResourceDefinition" or not isinstance(normalized, dict):
        return []
    spec = normalized.get("spec")
    if not isinstance(spec, dict):
        return []
    out = [list(root) for root in _CRD_SCHEMA_ROOTS if _at(normalized, list(root)) is not None]
    versions = spec.get("versions")
    keys = versions.keys() if isinstance(versions, dict) else range(len(versions)) if isinstance(versions, list) else ()
    for key in keys:
        path = ["spec", "versions", key, *_CRD_VERSION_SCHEMA]
        if _at(normalized, path) is not None:
            out.append(path)
    return out


def without(normalized: Any, paths: list[list[Any]]) -> Any:
    """normalized with the subtrees at paths taken out (copies only along those paths)."""
    for path in paths:
        normalized = _drop(normalized, path)
    return normalized


def _drop(node: Any, path: list[Any]) -> Any:
    if not path:
        return node
    key, rest = path[0], path[1:]
    if isinstance(node, dict) and key in node:
        copy = dict(node)
        if rest:
            copy[key] = _drop(node[key], rest)
        else:
            del copy[key]
        return copy
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        copy_list = list(node)
        copy_list[key] = _drop(node[key], rest) if rest else None
        return copy_list
    return node


def _at(node: Any, path: list[Any]) -> Any:
    for key in path:
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return None
    return node


def lines_of(value: Any) -> list[str]:
    """The lines a value takes in a manifest: a string's own, a mapping's or list's block YAML (near enough)."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.splitlines()
    if not isinstance(value, (dict, list)):
        return [_scalar(value)]
    out: list[str] = []
    _yaml_lines(value, "", out)
    return out


def _yaml_lines(value: Any, pad: str, out: list[str]) -> None:
    """Block YAML's lines of a mapping or list, as PyYAML writes them (a tenth of its time: no representer)."""
    items = value.items() if isinstance(value, dict) else ((None, item) for item in value)
    for key, item in items:
        lead = f"{pad}{key}:" if key is not None else f"{pad}-"
        if isinstance(item, (dict, list)) and item:
            if key is not None:
                out.append(lead)
                _yaml_lines(item, pad + "  ", out)
            else:  # a list item: its first line shares the dash
                start = len(out)
                _yaml_lines(item, pad + "  ", out)
                out[start] = f"{pad}- {out[start].lstrip()}"
        elif isinstance(item, str) and "\n" in item:
            out.append(f"{lead} |")
            out += [f"{pad}  {line}" for line in item.splitlines()]
        else:
            out.append(f"{lead} {_scalar(item)}")


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return json.dumps(value)


def is_long(value: Any) -> bool:
    """Whether a value is summarised rather than shown: more than LONG_LINES lines, or a line over LONG_CHARS."""
    if isinstance(value, str):
        if value.count("\n") >= LONG_LINES:
            return len(value.splitlines()) > LONG_LINES
        return len(value) > LONG_CHARS and max(map(len, value.splitlines())) > LONG_CHARS
    if isinstance(value, (dict, list)):
        if len(json.dumps(value)) <= LONG_CHARS and _nodes(value, LONG_LINES) <= LONG_LINES // 2:
            return False  # small: no need to write its YAML to know
        lines = lines_of(value)
        return len(lines) > LONG_LINES or max(map(len, lines), default=0) > LONG_CHARS
    return False


def _nodes(value: Any, most: int) -> int:
    """How many mappings, lists and entries value holds, counted up to most."""
    count, stack = 0, [value]
    while stack and count <= most:
        node = stack.pop()
        if isinstance(node, dict):
            count += len(node)
            stack += node.values()
        elif isinstance(node, list):
            count += len(node)
            stack += node
    return count


def summarised(path: str, before: Any, after: Any) -> FieldChange:
    """A field whose value is too long to show: its line counts, and lines added and removed."""
    old, new = lines_of(before), lines_of(after)
    # Lines only one side has (a multiset difference: linear, where a line diff of
    # thousands of alike schema lines is quadratic); a line moved counts as neither.
    only_old, only_new = Counter(old), Counter(new)
    only_old.subtract(new)
    only_new.subtract(old)
    removed = sum(n for n in only_old.values() if n > 0) if after is not None else len(old)
    added = sum(n for n in only_new.values() if n > 0) if before is not None else len(new)
    long = LongValue(None if before is None else len(old), None if after is None else len(new), added, removed)
    return FieldChange(
        path,
        None if before is None else f"{len(old)} lines",
        None if after is None else f"{len(new)} lines",
        note=long.note,
        long=long,
    )


def schema_changes(
    kind: str, old: dict[str, Any], new: dict[str, Any], old_normalized: Any, new_normalized: Any
) -> list[tuple[list[Any], FieldChange]]:
    """The summarised schema changes of a CRD: (parts, for classify; the field change to show)."""
    paths = {format_path(p): p for p in schema_paths(kind, old_normalized) + schema_paths(kind, new_normalized)}
    out = []
    for path, parts in sorted(paths.items()):
        if _at(old_normalized, parts) != _at(new_normalized, parts):
            out.append((parts, summarised(path, lookup(old, parts), lookup(new, parts))))
    return out


def value_room(taken: int) -> int:
    """How much of each of two values a report line shows when its resource and path take `taken` characters."""
    return max(MIN_VALUE_CHARS, min(VALUE_CHARS, (LINE_BUDGET - taken - 16) // 2))


def elided(before: str | None, after: str | None, room: int = VALUE_CHARS) -> tuple[str | None, str | None]:
    """Two one-line values cut to the part where they differ (with CONTEXT around it), when longer than room."""
    if all(v is None or len(v) <= room for v in (before, after)):
        return before, after
    if before is None or after is None:
        return _cut(before, room), _cut(after, room)
    prefix = len(_common_prefix(before, after))
    suffix = len(_common_prefix(before[prefix:][::-1], after[prefix:][::-1]))
    return _window(before, prefix, suffix, room), _window(after, prefix, suffix, room)


def _common_prefix(a: str, b: str) -> str:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return a[:index]
    return a[: min(len(a), len(b))]


def _window(text: str, prefix: int, suffix: int, room: int) -> str:
    context = min(CONTEXT, room // 4)
    start = max(0, prefix - context)
    end = len(text) - max(0, suffix - context)
    if end - start > room:
        end = start + room
    return (CUT if start else "") + text[start:end] + (CUT if end < len(text) else "")


def _cut(value: str | None, room: int) -> str | None:
    if value is None or len(value) <= room:
        return value
    return value[:room] + f"{CUT} ({len(value)} chars)"


def clipped(line: str) -> str:
    """A line of a line diff, cut at LINE_CHARS."""
    return line if len(line) <= LINE_CHARS else line[:LINE_CHARS] + f"{CUT} ({len(line)} chars)"
