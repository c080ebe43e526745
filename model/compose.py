"""The YAML node tree of a stage file, composed from libyaml's events, refusing what stage files never hold.

libyaml's own composer gives an anchor and each of its aliases one shared node, and the walk
that turns nodes into data (model/source.py) would copy it at every alias: nine nested aliases
of nine make a billion values ("billion laughs"). Composing here, event by event, refuses
before a single value is built:

- anchors (`&name`) and aliases (`*name`): shared values belong in defaults.yaml or under
  service_defaults, and an edit through an anchor shared by two services would silently
  change both; an alias is named with its anchor's line;
- tags on mappings and lists (`!!set`, `!!omap`, `!!python/object/apply:...`, `!Ref`):
  only the plain core `!!map` and `!!seq` (scalar tags are judged where scalars are built);
- nesting deeper than MAX_DEPTH (the walks that follow are recursive);
- strings longer than MAX_STRING characters and keys longer than MAX_KEY.

Each problem has file:line:column and the key path; past MAX_LISTED problems of a kind the
rest are counted, not listed. The node tree is what libyaml's composer would give (same tags,
marks and styles), so everything downstream reads it unchanged.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kube.secrets import credential
from model.errors import Location, Problem
from model.limits import MAX_DEPTH, MAX_KEY, MAX_LISTED, MAX_STRING

MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"
_END = (MappingEndEvent, SequenceEndEvent)
_PLURAL = {
    "anchor": "YAML anchors",
    "alias": "YAML aliases",
    "tag": "tagged mappings and lists",
    "depth": "values nested too deep",
    "length": "strings over the limit",
    "key": "keys over the limit",
}
NO_SHARING = (
    "write the value out where it is needed; put values shared by stages in defaults.yaml, "
    "by services under service_defaults"
)


def compose_single(loader: Any, name: str, path_text) -> tuple[Node | None, list[Problem]]:
    """The root node of the one document loader's events hold (None if empty), and what it may not hold."""
    composer = _Composer(loader, name, path_text)
    return composer.compose(), composer.problems


def shown_tag(tag: str) -> str:
    """tag:yaml.org,2002:set -> !!set; a local tag as written."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def shortened(text: str, keep: int = 40) -> str:
    """text, or its start and its length when it is longer than keep; never a cut that hides a credential's shape."""
    if len(text) <= keep:
        return text
    what = credential(text)
    return f"(not shown: it looks like {what})" if what else f"{text[:keep]}... ({len(text):,} characters)"


class _Composer:
    def __init__(self, loader: Any, name: str, path_text):
        self.loader = loader
        self.name = name
        self.path_text = path_text  # KeyPath -> "services.agent-service.replicas"
        self.path: list[str | int] = []
        self.anchors: dict[str, tuple[Location, str]] = {}  # name -> where, key path
        self.aliased: set[str] = set()
        self.problems: list[Problem] = []
        self.listed: Counter[str] = Counter()
        self.unlisted: Counter[str] = Counter()
        self.first_unlisted: dict[str, Location] = {}

    def compose(self) -> Node | None:
        loader = self.loader
        loader.get_event()  # stream start
        if loader.check_event(StreamEndEvent):
            loader.get_event()
            return None
        start = loader.get_event()  # document start
        node = self._node(1)
        loader.get_event()  # document end
        if not loader.check_event(StreamEndEvent):
            event = loader.get_event()
            raise ComposerError(
                "expected a single document in the stream",
                start.start_mark,
                "but found another document",
                event.start_mark,
            )
        for anchor, (where, path) in self.anchors.items():
            if anchor not in self.aliased:
                message = f"a YAML anchor (&{shortened(anchor)}): stage files do not use anchors and aliases"
                self._report("anchor", where, message, NO_SHARING, path)
        for kind, count in self.unlisted.items():
            self.problems.append(
                Problem(self.first_unlisted[kind], "", f"and {count:,} more {_PLURAL[kind]} from here on (not listed)")
            )
        return node

    def _where(self, event: Any) -> Location:
        return Location(self.name, event.start_mark.line + 1, event.start_mark.column + 1)

    def _report(self, kind: str, where: Location, message: str, hint: str, path: str | None = None) -> None:
        if self.listed[kind] >= MAX_LISTED:
            self.unlisted[kind] += 1
            self.first_unlisted.setdefault(kind, where)
            return
        self.listed[kind] += 1
        self.problems.append(Problem(where, self.path_text(tuple(self.path)) if path is None else path, message, hint))

    def _node(self, depth: int) -> Node:
        event = self.loader.get_event()
        if isinstance(event, AliasEvent):
            self._alias(event)
            return ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
        if event.anchor is not None:
            self.anchors.setdefault(event.anchor, (self._where(event), self.path_text(tuple(self.path))))
        if isinstance(event, ScalarEvent):
            return self._scalar(event)
        if depth > MAX_DEPTH:
            self._report(
                "depth",
                self._where(event),
                f"nested more than {MAX_DEPTH} levels deep",
                "stage files nest a few levels; flatten this value",
            )
            self._skip()
            return ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
        core = MAP if isinstance(event, MappingStartEvent) else SEQ
        if event.tag not in (None, "!", core):
            kind = "mapping" if core == MAP else "list"
            self._report(
                "tag",
                self._where(event),
                f"YAML tag {shortened(shown_tag(event.tag))} on a {kind}: stage files take plain mappings and lists",
                "remove the tag",
            )
        if core == MAP:
            return self._mapping(event, depth)
        return self._sequence(event, depth)

    def _alias(self, event: AliasEvent) -> None:
        name = event.anchor
        self.aliased.add(name)
        anchor = self.anchors.get(name)
        of = f"of the value anchored at line {anchor[0].line} (&{shortened(name)})" if anchor else "of no anchor"
        self._report(
            "alias",
            self._where(event),
            f"a YAML alias (*{shortened(name)}) {of}: stage files do not use anchors and aliases",
            NO_SHARING,
        )

    def _scalar(self, event: ScalarEvent) -> ScalarNode:
        if len(event.value) > MAX_STRING:
            self._report(
                "length",
                self._where(event),
                f"a string of {len(event.value):,} characters; a stage file's strings are at most "
                f"{MAX_STRING:,} characters",
                "stage file values end up in ConfigMaps (at most 1 MiB in all): keep long text such as "
                "prompts or documents in the application's image or a volume",
            )
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(ScalarNode, event.value, event.implicit)
        return ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)

    def _mapping(self, event: MappingStartEvent, depth: int) -> MappingNode:
        node = MappingNode(MAP, [], event.start_mark, None, flow_style=event.flow_style)
        loader = self.loader
        while not loader.check_event(*_END):
            key_event = loader.peek_event()
            if isinstance(key_event, ScalarEvent) and len(key_event.value) > MAX_KEY:
                self._report(
                    "key",
                    self._where(key_event),
                    f"a key of {len(key_event.value):,} characters ({shortened(key_event.value)!r}); "
                    f"keys are names of at most {MAX_KEY} characters",
                    "shorten the key",
                )
            key = self._node(depth + 1)
            self.path.append(key.value if isinstance(key, ScalarNode) else "?")
            value = self._node(depth + 1)
            self.path.pop()
            node.value.append((key, value))
        node.end_mark = loader.get_event().end_mark
        return node

    def _sequence(self, event: SequenceStartEvent, depth: int) -> SequenceNode:
        node = SequenceNode(SEQ, [], event.start_mark, None, flow_style=event.flow_style)
        loader = self.loader
        while not loader.check_event(*_END):
            self.path.append(len(node.value))
            node.value.append(self._node(depth + 1))
            self.path.pop()
        node.end_mark = loader.get_event().end_mark
        return node

    def _skip(self) -> None:
        """Consume the events of the collection just started, without recursion."""
        open_collections = 1
        while open_collections:
            event = self.loader.get_event()
            if isinstance(event, CollectionStartEvent):
                open_collections += 1
            elif not isinstance(event, (ScalarEvent, AliasEvent)):
                open_collections -= 1
