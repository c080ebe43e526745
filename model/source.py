"""YAML documents read into plain Python values, with the file position of every key and item.

libyaml (PyYAML's C parser) reads the events; model/compose.py composes the node tree from
them, refusing anchors, aliases, tagged collections, deep nesting and over-long strings before
any value is built; the tree is then walked once to build dicts, lists and scalars while
recording positions by key path, so that every later check can say file:line:column. Duplicate
keys are errors here, with both lines named. Files are read through model/stage_file.py: only
a regular file of at most model.limits.MAX_FILE_BYTES, in UTF-8 (a FIFO is never opened).

Scalars resolve as in YAML 1.2's core schema, not PyYAML's YAML 1.1 default: `yes`, `no`, `on`
and `Off` stay strings, `20:30` is not a base-60 number and `2026-11-24` is not a date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.error import MarkedYAMLError, YAMLError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from kube.secrets import secret_name
from model.compose import compose_single, shortened
from model.errors import InputError, Location, Problem
from model.limits import MAX_FILE_BYTES, capped
from model.stage_file import read_stage_text, too_large

__all__ = ["Document", "KeyPath", "SourceMap", "format_path", "load_document", "parse_document"]

KeyPath = tuple[str | int, ...]


def format_path(path: KeyPath) -> str:
    """services.agent-service.autoscaling.min_replicas, availability.zones[2]."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class SourceMap:
    """Where each key path of a document was written: the key's position for mapping entries."""

    positions: dict[KeyPath, Location] = field(default_factory=dict)

    def locate(self, path: KeyPath) -> Location | None:
        """The position of path, else of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            location = self.positions.get(tuple(path[:end]))
            if location is not None:
                return location
        return None

    def file_of(self, path: KeyPath) -> str | None:
        """The file that set path (or its nearest located ancestor)."""
        location = self.locate(path)
        return location.file if location else None


@dataclass(frozen=True)
class Document:
    """A YAML document as plain data, with its source map."""

    data: Any
    source: SourceMap
    file: str


def load_document(path: Path, display_name: str | None = None) -> Document:
    """Read one YAML document; raise InputError naming the position of any syntax problem."""
    name = display_name or str(path)
    return parse_document(read_stage_text(path, name), name)


class StageLoader(yaml.CSafeLoader):
    """libyaml's parser with YAML 1.2 core-schema scalars."""


StageLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", ["<"]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
):
    StageLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def _construct_int(loader: yaml.SafeLoader, node: ScalarNode) -> int:
    text = node.value
    if text.startswith(("0o", "0x")):
        return int(text, 0)
    return int(text, 10)  # YAML 1.2: 010 is ten, not octal eight


StageLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def parse_document(text: str, name: str) -> Document:
    """Parse YAML text (one document) into plain data and a source map."""
    if len(text) * 4 > MAX_FILE_BYTES:  # a character is at most four bytes of UTF-8
        size = len(text.encode("utf-8", errors="surrogatepass"))
        if size > MAX_FILE_BYTES:
            raise InputError([too_large(name, size)])
    loader = StageLoader(text)
    try:
        node, problems = compose_single(loader, name, format_path)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        location = Location(name, mark.line + 1, mark.column + 1) if mark else None
        message = (error.problem or error.context or "not valid YAML").strip()
        hint = "check indentation, colons, quotes and closing brackets around this position"
        if "expected a single document" in str(error):
            message, hint = (
                "holds more than one YAML document",
                "a stage file is one document: remove the '---' separator",
            )
        raise InputError([Problem(location, "", f"YAML syntax error: {message}", hint)]) from None
    except ReaderError as error:  # a character YAML text may not hold: NUL, ESC, U+FFFE, ...
        raise InputError([_unreadable(name, text, error)]) from None
    except YAMLError as error:
        raise InputError([Problem(Location(name, 1, 1), "", f"YAML error: {error}")]) from None
    finally:
        loader.dispose()
    if problems:  # refused before any value is built: an alias is never expanded
        raise InputError(capped(problems))
    source = SourceMap()
    if node is None:
        return Document({}, source, name)
    source.positions[()] = _location(name, node)
    builder = _Builder(StageLoader(""), name, source)
    data = builder.build(node, ())
    if builder.problems:
        raise InputError(capped(builder.problems))
    return Document(data, source, name)


def _unreadable(name: str, text: str, error: ReaderError) -> Problem:
    """Where libyaml's reader stopped (its position counts UTF-8 bytes), and at what."""
    before = text.encode("utf-8", errors="surrogatepass")[: error.position].decode("utf-8", errors="replace")
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    character = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "?")
    return Problem(
        Location(name, line, column),
        "",
        f"character U+{character:04X} is not allowed in YAML text ({error.reason})",
        'delete it; inside double quotes write a control character as an escape, e.g. "\\t" or "\\x1b"',
    )


def _location(name: str, node: Node) -> Location:
    return Location(name, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Walks a composed node tree into plain values, recording positions and problems."""

    def __init__(self, constructor: yaml.SafeLoader, name: str, source: SourceMap):
        self.constructor = constructor
        self.name = name
        self.source = source
        self.problems: list[Problem] = []

    def build(self, node: Node, path: KeyPath) -> Any:
        # The composer refused anchors and aliases: every node has one parent, the tree is walked once.
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return self._sequence(node, path)
        return self._scalar(node, path)

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict:
        out: dict = {}
        first_seen: dict[Any, Location] = {}
        for key_node, value_node in node.value:
            where = _location(self.name, key_node)
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(
                    Problem(
                        where,
                        format_path(path),
                        "YAML merge keys (<<) are not supported",
                        "put shared values in defaults.yaml or under service_defaults instead",
                    )
                )
                continue
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:null":
                self.problems.append(
                    Problem(
                        where,
                        format_path(path),
                        "a mapping key must be a name",
                        "write keys as plain text, e.g. `replicas:`; quote one that looks like null",
                    )
                )
                continue
            # Keys stay as written: `010:` is the key "010", not the number 10.
            key = key_node.value
            if key in first_seen:
                self.problems.append(
                    Problem(
                        where,
                        format_path(path + (key,)),
                        f"duplicate key {key!r}; it is already defined at line {first_seen[key].line}",
                        "remove one of the two entries (YAML keeps only one of them silently)",
                    )
                )
                continue
            first_seen[key] = where
            self.source.positions[path + (key,)] = where
            out[key] = self.build(value_node, path + (key,))
        return out

    def _sequence(self, node: SequenceNode, path: KeyPath) -> list:
        items = []
        for index, item in enumerate(node.value):
            self.source.positions[path + (index,)] = _location(self.name, item)
            items.append(self.build(item, path + (index,)))
        return items

    def _scalar(self, node: ScalarNode, path: KeyPath) -> Any:
        if not isinstance(node, ScalarNode):
            return None
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (YAMLError, ValueError, KeyError, TypeError):
            core = node.tag.removeprefix("tag:yaml.org,2002:")
            keys = [part for part in path if isinstance(part, str)]
            shown = "the value (not shown: the key names a secret)" if keys and secret_name(keys[-1]) else None
            message = (
                f"{shown or repr(shortened(node.value))} is not a valid !!{core}"
                if core in ("int", "float", "bool", "null")
                else f"unsupported YAML tag {shortened(node.tag, 100)!r}"
            )
            self._problem(node, path, message, "use plain strings, numbers, booleans, lists and mappings")
            return None
        if isinstance(value, (bytes, bytearray)) or not isinstance(value, (str, int, float, bool, type(None))):
            self._problem(
                node,
                path,
                f"unsupported value of type {type(value).__name__}",
                "use plain strings, numbers, booleans, lists and mappings",
            )
            return None
        return value

    def _problem(self, node: Node, path: KeyPath, message: str, hint: str) -> None:
        self.problems.append(Problem(_location(self.name, node), format_path(path), message, hint))
