"""Where each field of a manifest was written, recorded while it is built and kept small.

pipeline.manifest_yaml.ManifestBuilder records one 64-bit number per entry of a document, a
mapping's key or a list's item, in the order of the data it builds (depth first, a mapping's
keys in their order): `line << 24 | column`, 0-based as libyaml marks them. Eight bytes per
field in one array per document, no node tree kept: a fleet's worth of manifests costs a few
MiB. An entry whose value is an alias of a mapping or list written before is flagged ALIAS
and its fields are not recorded again: `jumps` gives where the anchored ones are. Keys merged
in by `<<` are flagged without a jump: they point at their `<<` line.

FieldLines.position(data, path) walks the data and the records side by side. A path is written
as rules and the schema check write it: `spec.template.spec.containers[web].securityContext`
(an item by its name, by its `type`, or by index: `[0]`), `metadata.annotations[a.b/c]` or
`metadata.annotations['a.b/c']` (a key in brackets), `metadata.labels.app.kubernetes.io/name`
(dots inside a key, which the schema check does not escape: the keys the data holds decide). A
field that is not there resolves to the nearest one that is (a container for its missing
securityContext), the object itself for "".
"""

from __future__ import annotations

import re
from array import array
from functools import lru_cache
from typing import Any

ALIAS = 1 << 62
COLUMN_BITS = 24  # a file holds at most 16 MiB, so no column reaches 2**24
_COLUMN = (1 << COLUMN_BITS) - 1
_STEP = re.compile(r"\[(?:'([^']*)'\]|\"([^\"]*)\"\]|([^\]]*)\]?)|([^.\[]+)|\.")
_IDENTITY = ("name", "type")  # how a list item is named in a path: containers[web], limits[Container]
Step = tuple[bool, str]  # (in brackets, text)


def record(line: int, column: int) -> int:
    """One entry's record: a 0-based line and column packed."""
    return line << COLUMN_BITS | column


class FieldLines:
    """The recorded positions of one object's fields: shared by a document, from `base` on."""

    __slots__ = ("records", "jumps", "line_offset", "base")

    def __init__(self, records: array, jumps: dict[int, int] | None, line_offset: int = 0, base: int = 0):
        self.records = records
        self.jumps = jumps
        self.line_offset = line_offset
        self.base = base

    def at(self, base: int) -> FieldLines:
        """The same document's records for the object whose own entry is at base (an item of a List)."""
        return FieldLines(self.records, self.jumps, self.line_offset, base)

    def item(self, data: dict, key: str, index: int) -> FieldLines:
        """The records of data[key][index] (an item of a List), data being the object at base."""
        try:
            start = self._children(self.base)
            where = None if start is None else self._entry(data, key, start)
            start = None if where is None else self._children(where)
            where = None if start is None else self._entry(data[key], index, start)
        except IndexError:
            where = None
        return self if where is None else self.at(where)

    def position(self, data: Any, path: str) -> tuple[int, int]:
        """(line, column), 1-based, of the field at path in data (the object built with these records)."""
        steps = parse_path(path)
        try:
            _, index = self._walk(data, self.base, steps, 0)
        except IndexError:  # the data no longer matches the records (changed after reading)
            index = self.base
        return self._line_column(index)

    def _line_column(self, index: int) -> tuple[int, int]:
        value = self.records[index] & ~ALIAS
        return (value >> COLUMN_BITS) + 1 + self.line_offset, (value & _COLUMN) + 1

    def _walk(self, value: Any, index: int, steps: tuple[Step, ...], k: int) -> tuple[int, int]:
        """(steps matched, record index) of the deepest field steps[k:] reach below value (entry index)."""
        if k == len(steps):
            return k, index
        best = (k, index)
        start = self._children(index)
        if start is None:
            return best
        for child, taken in _candidates(value, steps, k):
            where = self._entry(value, child, start)
            if where is None:
                continue
            found = self._walk(value[child], where, steps, k + taken)
            if found[0] == len(steps):
                return found
            if found[0] > best[0]:
                best = found
        return best

    def _children(self, index: int) -> int | None:
        """Where the records of an entry's own fields start; None when they were not recorded."""
        if self.records[index] & ALIAS:
            return self.jumps.get(index) if self.jumps else None
        return index + 1

    def _entry(self, value: Any, child: Any, index: int) -> int | None:
        """The record index of value's entry child (a key or an item's index), value's fields starting at index."""
        records = self.records
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in pairs:
            if key == child:
                return index if index < len(records) else None
            flags = records[index]
            index += 1
            if (item.__class__ is dict or item.__class__ is list) and not flags & ALIAS:
                index = self._skip(item, index)
        return None

    def _skip(self, value: dict | list, index: int) -> int:
        """The record index just past the fields of value, which start at index."""
        records = self.records
        for item in value.values() if value.__class__ is dict else value:
            flags = records[index]
            index += 1
            if (item.__class__ is dict or item.__class__ is list) and not flags & ALIAS:
                index = self._skip(item, index)
        return index


def _candidates(value: Any, steps: tuple[Step, ...], k: int) -> list[tuple[Any, int]]:
    """(key or index of value, steps it takes) that steps[k] may name: the longest dotted key first."""
    bracket, text = steps[k]
    if isinstance(value, dict):
        if bracket:
            return [(text, 1)] if text in value else []
        run = 1
        while k + run < len(steps) and not steps[k + run][0]:
            run += 1
        keys = [(".".join(t for _, t in steps[k : k + n]), n) for n in range(run, 0, -1)]
        return [(key, n) for key, n in keys if key in value]
    if isinstance(value, list) and bracket:
        for identity in _IDENTITY:
            for index, item in enumerate(value):
                if isinstance(item, dict) and item.get(identity) == text:
                    return [(index, 1)]
        if text.isdigit() and int(text) < len(value):
            return [(int(text), 1)]
    return []


@lru_cache(maxsize=4096)
def parse_path(path: str) -> tuple[Step, ...]:
    """The steps of a field path: (False, key) for a dotted part, (True, text) for a bracketed one."""
    steps: list[Step] = []
    for match in _STEP.finditer(path):
        single, double, bare, key = match.groups()
        if key is not None:
            steps.append((False, key))
        elif match[0] != ".":
            steps.append((True, next(t for t in (single, double, bare) if t is not None)))
    return tuple(steps)
