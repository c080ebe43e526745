"""The documents of one YAML (or JSON) text: every readable object, each problem, each skipped file.

libyaml composes the stream document by document; pipeline.manifest_yaml builds each into data
and records where its fields are. A syntax error ends libyaml's stream, not the reading: as
kubectl splits a stream at its `---` lines before decoding a document, the broken document is
the text from the last one read to the next `---` line; it is one problem at its own line and
column, and reading goes on after it. A limit (aliases, depth, MAX_PROBLEMS) stops the file:
its documents before the limit are kept. A `kind: List` gives its items, each an object of its
own (its own size limit and location).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from model.errors import Location, Problem
from model.printable import printable
from pipeline.field_lines import FieldLines
from pipeline.manifest_shape import shape_problem, skip_reason
from pipeline.manifest_yaml import MAX_DEPTH, AliasBudget, ManifestBuilder, Refused
from pipeline.yaml_output import ManifestLoader

MAX_OBJECT = 3 * 2**20
MAX_PROBLEMS = 50
# A line kubectl's reader splits documents at: --- and nothing but blanks or a comment after it.
SEPARATOR = re.compile(r"^---[ \t\r]*(?:#[^\n]*)?$", re.MULTILINE)
_SYNTAX_ERRORS = yaml.YAMLError  # marked with a position (a ReaderError: an offset), or not


@dataclass(frozen=True)
class SourcedManifest:
    """A manifest and where it was read from; field_location(path) says where each field was."""

    manifest: dict[str, Any]
    location: Location
    lines: FieldLines | None = field(default=None, compare=False, repr=False)

    def field_location(self, path: str) -> Location:
        """Where the field at path (`spec.template.spec.containers[web].image`) was written: its key's
        line and column; for a field that is not there, the nearest that is; the object's for ""."""
        if self.lines is None or not path:
            return self.location
        line, column = self.lines.position(self.manifest, path)
        return Location(self.location.file, line, column)


@dataclass(frozen=True)
class Skipped:
    """A document read but not checked: no Kubernetes object (a kustomization, Helm values, config)."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return printable(f"{self.file}:{self.line}: skipped: {self.reason}")


@dataclass
class Stream:
    """What one text held."""

    manifests: list[SourcedManifest] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def read_stream(text: str, name: str, budget: AliasBudget) -> Stream:
    """Every document of text (the file name); problems and skipped documents too, never raising."""
    return _Reader(text, name, budget).read()


class _Reader:
    """The reading of one text: where it is, what it found."""

    def __init__(self, text: str, name: str, budget: AliasBudget):
        self.text, self.name, self.base_name = text, name, os.path.basename(name)
        self.builder = ManifestBuilder(name, budget, MAX_PROBLEMS)
        self.out = Stream(problems=self.builder.problems)

    def read(self) -> Stream:
        start = 0
        try:
            while start <= len(self.text):
                start = self._read_from(start)
        except Refused as refused:
            self.out.problems.append(refused.problem)
        return self.out

    def _read_from(self, start: int) -> int:
        """Read the documents from start on; after a syntax error, the broken one alone. Where to go on."""
        text, builder = self.text, self.builder
        chunk = text[start:] if start else text
        offset = builder.line_offset = text.count("\n", 0, start)
        last = None
        try:
            for last in yaml.compose_all(chunk, Loader=ManifestLoader):
                self._document(last)
            return len(text) + 1
        except _SYNTAX_ERRORS:
            pass
        # The documents before the error are read. The broken one runs from there to the next --- line.
        piece_start = start + _line_start(chunk, _end(last) if last is not None else 0)
        found = SEPARATOR.search(text, piece_start + 1)
        piece_end = found.start() if found else len(text)
        piece = text[piece_start:piece_end]
        builder.line_offset = offset = offset + chunk.count("\n", 0, piece_start - start)
        try:
            for node in yaml.compose_all(piece, Loader=ManifestLoader):
                self._document(node)
        except _SYNTAX_ERRORS as error:
            builder.add(_syntax_problem(self.name, error, piece, offset))
        return piece_end if piece_end < len(text) else len(text) + 1

    def _document(self, node: yaml.Node) -> None:
        """One composed document: its objects, its problems, or why it is skipped."""
        builder, name = self.builder, self.name
        before = len(builder.problems)
        document = builder.build(node)
        if len(builder.problems) > before or document is None:
            return
        where = _where(name, node, builder.line_offset)
        reason = skip_reason(document, self.base_name)
        if reason:
            self.out.skipped.append(Skipped(name, where.line, reason))
            return
        for item_node, manifest, lines in _expand(node, document, builder.lines):
            if item_node is node:
                start = where
            elif item_node is not None:
                start = _where(name, item_node, builder.line_offset)
            else:
                start = Location(name, *lines.position(manifest, ""))
            sourced = SourcedManifest(manifest, start, lines)
            problem = shape_problem(manifest, start, sourced.field_location)
            problem = problem or _size_problem(start, item_node or node)
            if problem:
                builder.add(problem)
            else:
                self.out.manifests.append(sourced)


def _line_start(text: str, index: int) -> int:
    """index if a line starts there, else where the next line starts (the end of text for none)."""
    if index == 0 or text[index - 1 : index] == "\n":
        return index
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def _expand(node: yaml.Node, document: Any, lines: FieldLines) -> list[tuple[Any, Any, FieldLines]]:
    """The objects of a document, each with its node (None: not told) and records: itself, or a List's items."""
    if not (
        isinstance(document, dict)
        and isinstance(document.get("kind"), str)
        and document["kind"].endswith("List")
        and isinstance(document.get("items"), list)
    ):
        return [(node, document, lines)]
    item_nodes = _items_nodes(node)
    if item_nodes is not None and len(item_nodes) != len(document["items"]):
        item_nodes = None  # items merged in or aliased: told by the records alone
    return [
        (item_nodes[i] if item_nodes else None, item, lines.item(document, "items", i))
        for i, item in enumerate(document["items"])
        if item is not None
    ]


def _items_nodes(node: yaml.Node) -> list[yaml.Node] | None:
    """The item nodes of a List document's `items` (None when they cannot be told: a merge key, an alias)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "items" and isinstance(value, yaml.SequenceNode):
            return value.value
    return None


def _where(name: str, node: yaml.Node, line_offset: int) -> Location:
    return Location(name, node.start_mark.line + 1 + line_offset, node.start_mark.column + 1)


def _end(node: yaml.Node) -> int:
    """Where the text of a node ends: its last value's end (a block's own end comes after trailing comments)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value and not node.flow_style:
        last = node.value[-1]
        key, last = last if isinstance(node, yaml.MappingNode) else (node, last)
        if last.start_mark.index < key.start_mark.index:  # an alias of a node written before
            return max(key.end_mark.index, node.end_mark.index if key is node else 0)
        node = last
    return node.end_mark.index


def _size_problem(start: Location, node: yaml.Node) -> Problem | None:
    size = _end(node) - node.start_mark.index
    if size <= MAX_OBJECT:
        return None
    return Problem(
        start,
        "",
        f"an object of {size} characters of YAML: the API server takes requests of at most 3 MiB ({MAX_OBJECT} bytes)",
        "split the object (a ConfigMap or Secret holds at most 1 MiB of data)",
    )


def _syntax_problem(name: str, error: yaml.YAMLError, text: str, line_offset: int) -> Problem:
    """A syntax error in text (the lines before it in the file: line_offset) as a problem at its position."""
    if isinstance(error, yaml.reader.ReaderError):  # a character YAML does not allow (NUL, a C1 control)
        index = len(text.encode("utf-8")[: error.position].decode("utf-8", "ignore"))  # libyaml counts bytes
        line = text.count("\n", 0, index) + 1 + line_offset
        column = index - text.rfind("\n", 0, index)
        character = chr(error.character) if isinstance(error.character, int) else error.character
        return Problem(
            Location(name, line, column),
            "",
            f"a character YAML does not allow: {character!r} ({error.reason})",
            "remove it, or write it as an escape in a double-quoted string",
        )
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    where = Location(name, mark.line + 1 + line_offset, mark.column + 1) if mark else Location(name, 1 + line_offset, 1)
    if not isinstance(error, yaml.MarkedYAMLError):
        return Problem(where, "", f"YAML error: {error}")
    problem = (error.problem or error.context or "").strip()
    if "maximum nesting depth" in problem:  # libyaml's own limit, at 1000 levels
        return Problem(
            where,
            "",
            f"nested deeper than {MAX_DEPTH} levels of mappings and lists",
            "Kubernetes objects are nowhere near this deep: look for a generator that recursed",
        )
    return Problem(
        where,
        "",
        f"YAML syntax error: {problem}",
        "check indentation, colons, quotes and brackets around this position",
    )
