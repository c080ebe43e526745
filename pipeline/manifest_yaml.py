"""Manifest YAML built into plain data as Kubernetes reads it; hostile or broken YAML refused.

libyaml composes the node tree (it refuses nesting past 1000 levels itself); ManifestBuilder
walks it once into dicts, lists, strings, numbers, booleans and None, the data kubectl sends
(scalars and keys as pipeline.yaml_scalars reads them). Refused, each a Problem at
file:line:column with its key path:

- a duplicate key: PyYAML silently keeps the last (a second `securityContext` hides a
  privileged first one); kubectl refuses the file
- a tag outside YAML's plain types on a mapping or list (`!Ref {...}`, `!!set`, `!!omap`,
  `!!python/object/apply:...`), and on a scalar (yaml_scalars)
- a recursive alias, a merge (<<) of anything but mappings
- nesting deeper than MAX_DEPTH levels (Kubernetes objects need a few dozen at most)
- aliases expanding the input by more than ALIAS_BUDGET values and characters beyond twice
  its own size (a "billion laughs" bomb); the budget is shared by every file a run reads

While building, the position of every field is recorded (pipeline.field_lines): `.lines` after
build() says where each field of the document was written.
"""

from __future__ import annotations

from array import array
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from model.compose import shown_tag
from model.errors import Location, Problem
from model.source import format_path
from pipeline import yaml_scalars
from pipeline.field_lines import ALIAS, COLUMN_BITS, FieldLines
from pipeline.yaml_scalars import MAX_STRING, MERGE, NUMBER_START, PLAIN_DATA, STR, BadScalar

MAX_DEPTH = 100
ALIAS_BUDGET = 1_000_000
_MAP, _SEQ = yaml_scalars.CORE + "map", yaml_scalars.CORE + "seq"


class Refused(Exception):
    """A limit that stops reading the file: the problem that says which."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class TooManyProblems(Refused):
    """MAX_PROBLEMS reached in one file: the rest would only repeat them."""


class AliasBudget:
    """How far aliases may expand the input of one run: its own size twice, plus ALIAS_BUDGET."""

    def __init__(self) -> None:
        self.limit = ALIAS_BUDGET
        self.used = 0  # values and characters built so far, aliases counted each time they are used

    def add_text(self, text: str) -> None:
        self.limit += 2 * len(text)


class ManifestBuilder:
    """Builds the documents of one file; problems collect in .problems, limits raise Refused."""

    def __init__(self, name: str, budget: AliasBudget, max_problems: int = 50):
        self.name = name
        self.budget = budget
        self.max_problems = max_problems
        self.problems: list[Problem] = []
        self.path: list[str | int] = []
        self.line_offset = 0  # lines of the file before the text being composed (read after a syntax error)
        self.lines = FieldLines(array("Q"), None)  # the positions of the last document built
        self.used = self.limit = 0  # this document's share of the budget, kept here for speed
        # collection node -> (data, size, height, where its fields' records start; -1: not recorded)
        self._done: dict[int, tuple[Any, int, int, int]] = {}
        self._active: set[int] = set()
        self._deepest = 0
        self._records = array("Q")
        self._jumps: dict[int, int] = {}
        self._merging = 0  # inside the value of a merge key (<<), whose records are not kept

    def build(self, node: Node) -> Any:
        """One document's data; .lines then holds where each of its fields was written."""
        self._done, self._active, self._deepest, self.path = {}, set(), 0, []
        self.used, self.limit = 0, self.budget.limit - self.budget.used
        self._records, self._jumps, self._merging = array("Q"), {}, 0
        mark = node.start_mark
        self._records.append(mark.line << COLUMN_BITS | mark.column)
        try:
            data = self._node(node, 1)
            self.lines = FieldLines(self._records, self._jumps or None, self.line_offset)
            return data
        finally:  # a refused document takes at most what was left: the files after it keep their share
            self.budget.used = min(self.budget.used + self.used, self.budget.limit)
            self._done, self._active, self._records = {}, set(), array("Q")

    def _path(self) -> str:
        path = format_path(tuple(self.path))
        return path if len(path) <= 120 else f"{path[:60]}...{path[-40:]}"  # a path down a hundred levels

    def _problem(self, node: Node, message: str, hint: str = "") -> None:
        mark = node.start_mark
        path = self._path()
        self.add(Problem(Location(self.name, mark.line + 1 + self.line_offset, mark.column + 1), path, message, hint))

    def add(self, problem: Problem) -> None:
        """One more problem of the file; Refused past max_problems (the rest would only repeat)."""
        self.problems.append(problem)
        if len(self.problems) >= self.max_problems:
            where = problem.location or Location(self.name, 1, 1)
            message = f"{len(self.problems)} problems: stopped reading the file here"
            raise TooManyProblems(Problem(where, "", message, "fix these, and check again for the rest"))

    def _refuse(self, node: Node, message: str, hint: str) -> Refused:
        mark = node.start_mark
        where = Location(self.name, mark.line + 1 + self.line_offset, mark.column + 1)
        return Refused(Problem(where, self._path(), message, hint))

    def _node(self, node: Node, depth: int) -> Any:
        kind = node.__class__
        if kind is ScalarNode:
            return self._scalar(node)
        key = id(node)
        done = self._done.get(key)
        if done is not None:  # an alias of a collection built before: its data again, counted again
            data, size, height, start = done
            self.used += size
            self._check(node, depth + height)
            if not self._merging:  # the entry just recorded holds the alias: its fields are the anchor's
                last = len(self._records) - 1
                self._records[last] |= ALIAS
                if start >= 0:
                    self._jumps[last] = start
            return data
        if key in self._active:
            self._problem(
                node, "a recursive YAML alias", "an alias (*name) may not refer to a mapping or list that holds it"
            )
            return None
        if kind is MappingNode and node.tag == _MAP:
            build = self._mapping
        elif kind is SequenceNode and node.tag == _SEQ:
            build = self._sequence
        else:
            what = "mapping" if kind is MappingNode else "list"
            self._problem(
                node,
                f"unsupported YAML tag {shown_tag(node.tag)!r} on a {what}",
                f"{PLAIN_DATA}: remove the tag (kubectl refuses it or silently drops it)",
            )
            return None
        if depth > MAX_DEPTH:
            self._check(node, depth)
        start, outer = self.used, self._deepest
        recorded = -1 if self._merging else len(self._records)
        self._deepest = depth
        self._active.add(key)
        data = build(node, depth)
        self._active.discard(key)
        self.used += 1
        self._done[key] = (data, self.used - start, self._deepest - depth, recorded)
        if outer > self._deepest:
            self._deepest = outer
        if self.used > self.limit:
            self._check(node, depth)
        return data

    def _check(self, node: Node, depth: int) -> None:
        """Refuse the file when aliases went past the budget or the data past MAX_DEPTH."""
        if self.used > self.limit:
            raise self._refuse(
                node,
                f"YAML aliases (*name) expand the input by more than {ALIAS_BUDGET} values and characters "
                "beyond its own size: refused as an alias bomb ('billion laughs')",
                "write the repeated parts out (or split the file): modest use of anchors and aliases is fine",
            )
        if depth > MAX_DEPTH:
            raise self._refuse(
                node,
                f"nested deeper than {MAX_DEPTH} levels of mappings and lists",
                "Kubernetes objects are nowhere near this deep: look for a generator that recursed",
            )
        if depth > self._deepest:
            self._deepest = depth

    def _mapping(self, node: MappingNode, depth: int) -> dict[str, Any]:
        data: dict[str, Any] = {}
        merges: list[dict[str, Any]] = []
        path, child, used = self.path, depth + 1, 0
        record, merge_mark = self._records.append, None
        for key_node, value_node in node.value:
            if key_node.__class__ is ScalarNode and key_node.tag == STR and len(key_node.value) <= MAX_STRING:
                key = key_node.value  # the common case, inline: a string key
                used += len(key) + 1
            else:
                key = self._key(key_node)
                if key is MERGE:
                    merges += self._merged(value_node, depth)
                    merge_mark = key_node.start_mark
                    continue
                if key is None:
                    continue
            if key in data:
                self._duplicate(node, key_node, key)
                continue
            mark = key_node.start_mark
            record(mark.line << COLUMN_BITS | mark.column)
            if value_node.__class__ is ScalarNode and value_node.tag == STR:
                value = value_node.value  # and a string value that cannot read as a number
                if len(value) <= MAX_STRING and (value_node.style or value[:1] not in NUMBER_START):
                    used += len(value) + 1
                    data[key] = value
                    continue
            path.append(key)
            data[key] = self._node(value_node, child)
            path.pop()
        self.used += used
        for source in merges:  # explicit keys win; of the merged mappings, the first that has a key
            for key, value in source.items():
                if key not in data and merge_mark is not None:
                    data[key] = value
                    record(merge_mark.line << COLUMN_BITS | merge_mark.column | ALIAS)  # at the << line
        return data

    def _sequence(self, node: SequenceNode, depth: int) -> list[Any]:
        items: list[Any] = []
        path, child = self.path, depth + 1
        record = self._records.append
        for index, item in enumerate(node.value):
            mark = item.start_mark
            record(mark.line << COLUMN_BITS | mark.column)
            path.append(index)
            items.append(self._node(item, child))
            path.pop()
        return items

    def _scalar(self, node: ScalarNode) -> Any:
        self.used += len(node.value) + 1
        try:
            return yaml_scalars.scalar(node)
        except BadScalar as bad:
            self._problem(node, bad.message, bad.hint)
            return None

    def _key(self, node: Node) -> Any:
        """The key as a string, MERGE for <<, None (a problem recorded) for what cannot be a key."""
        if node.__class__ is ScalarNode:
            self.used += len(node.value) + 1
        try:
            return yaml_scalars.key(node)
        except BadScalar as bad:
            self._problem(node, bad.message, bad.hint)
            return None

    def _duplicate(self, node: MappingNode, key_node: Node, key: str) -> None:
        first = next(k for k, _ in node.value if k is not key_node and _same_key(k, key))
        self.path.append(key)
        self._problem(
            key_node,
            f"duplicate key {key!r}: already defined at line {first.start_mark.line + 1}, "
            f"column {first.start_mark.column + 1}",
            "remove one of the two: YAML would silently keep the last, and kubectl refuses the file",
        )
        self.path.pop()

    def _merged(self, node: Node, depth: int) -> list[dict[str, Any]]:
        self.path.append("<<")
        records, self._records = self._records, array("Q")  # the merged keys are recorded where they land
        self._merging += 1
        try:
            value = self._node(node, depth + 1)
            sources = value if isinstance(value, list) and node.__class__ is SequenceNode else [value]
            if all(isinstance(source, dict) for source in sources):
                return sources
            self._problem(
                node, "a merge key (<<) takes a mapping or a list of mappings", "merge an anchored mapping: <<: *name"
            )
            return []
        finally:
            self.path.pop()
            self._records = records
            self._merging -= 1


def _same_key(node: Node, key: str) -> bool:
    try:
        return node.__class__ is ScalarNode and node.tag != MERGE and yaml_scalars.key(node) == key
    except BadScalar:
        return False
