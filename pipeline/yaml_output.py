"""Manifests as YAML text: stable, sorted, diff-friendly, and fast (libyaml's emitter).

PyYAML's own representer and resolver are Python and cost more than libyaml's emitter: the
representer here builds the node tree of plain data (dict, list, str, int, bool, None) directly,
and the resolver remembers how each scalar resolves (the emitter asks twice per scalar).
Anything else goes through PyYAML's safe representer; the output is byte-identical to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

_STR, _INT, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in ("str", "int", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}  # (scalar, implicit) -> tag; the resolvers are fixed
_RESOLVED_MAX = 200_000


class ManifestDumper(yaml.CSafeDumper):
    """libyaml's safe dumper: multi-line strings as literal blocks, never anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def represent_data(self, data: Any) -> Any:
        kind = type(data)
        style = self.default_style
        if kind is str:
            return ScalarNode(_STR, data, style="|" if "\n" in data else style)
        if kind is dict and self.default_flow_style is not None:
            items = list(data.items())
            if self.sort_keys:
                try:
                    items = sorted(items)
                except TypeError:
                    pass
            represent = self.represent_data
            nodes = [(represent(key), represent(value)) for key, value in items]
            return MappingNode(_MAP, nodes, flow_style=self.default_flow_style)
        if kind is list and self.default_flow_style is not None:
            represent = self.represent_data
            return SequenceNode(_SEQ, [represent(item) for item in data], flow_style=self.default_flow_style)
        if kind is bool:
            return ScalarNode(_BOOL, "true" if data else "false", style=style)
        if kind is int:
            return ScalarNode(_INT, str(data), style=style)
        if data is None:
            return ScalarNode(_NULL, "null", style=style)
        return super().represent_data(data)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            key = (value, implicit)
            tag = _RESOLVED.get(key)
            if tag is None:
                if len(_RESOLVED) >= _RESOLVED_MAX:
                    _RESOLVED.clear()
                tag = _RESOLVED[key] = super().resolve(kind, value, implicit)
            return tag
        return super().resolve(kind, value, implicit)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


ManifestDumper.add_representer(str, _represent_str)

# No line folding: a long PromQL expression stays on one line, so a change to it is one line.
_OPTIONS: dict[str, Any] = {
    "Dumper": ManifestDumper,
    "sort_keys": True,
    "default_flow_style": False,
    "allow_unicode": True,
    "width": 1_000_000,
    "indent": 2,
}


def dump_manifest(manifest: dict[str, Any]) -> str:
    """One manifest as a YAML document; keys sorted at every level."""
    return yaml.dump(manifest, **_OPTIONS)


def dump_documents(manifests: Iterable[dict[str, Any]]) -> str:
    """Several manifests as one multi-document YAML stream."""
    return yaml.dump_all(list(manifests), explicit_start=True, **_OPTIONS)


class _Slow(Exception):
    """A node the plain-data constructor leaves to PyYAML's (merge keys, tags, complex keys)."""


_SCALARS_READ: dict[str, str] = {}  # plain scalar -> tag


class ManifestLoader(yaml.CSafeLoader):
    """libyaml's safe loader that builds plain data (maps of scalars, lists, strings) directly.

    PyYAML's constructor is Python and general (generators, recursion bookkeeping, merge keys)
    and costs more than libyaml's parser: here a mapping tagged map, a sequence tagged seq and a
    string are built in one pass; any other scalar is PyYAML's own construction (int, bool, null,
    float, timestamp, ...), and a document holding anything else (a merge key, a tag such as
    !!set, a non-scalar key) is constructed by PyYAML from scratch. The data are equal to
    yaml.CSafeLoader's, aliases included (one object per anchored node), but for a bare `=`:
    YAML 1.1's "value" key, for which PyYAML has no constructor, is the string "=" here, as
    kubectl and the API server read it.
    """

    if not yaml.CSafeLoader.yaml_path_resolvers:  # none registered (yaml.add_path_resolver), as ever here
        # libyaml's composer calls these around every node; with no path resolvers PyYAML's are
        # Python no-ops. C builtins that ignore their arguments cost less.
        descend_resolver = staticmethod(slice)  # (parent, index) -> a throwaway slice
        ascend_resolver = staticmethod(tuple)  # () -> the empty tuple

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            """The tag of a node without one, as PyYAML resolves it, a plain scalar's remembered."""
            if kind is ScalarNode:
                if not implicit[0]:  # quoted (or tagged `!`): a string
                    return _STR
                tag = _SCALARS_READ.get(value)  # a plain scalar's tag depends on its text alone
                if tag is None:
                    if len(_SCALARS_READ) >= _RESOLVED_MAX:
                        _SCALARS_READ.clear()
                    tag = _SCALARS_READ[value] = super().resolve(kind, value, implicit)
                return tag
            return super().resolve(kind, value, implicit)

    def construct_document(self, node: Any) -> Any:
        try:
            data = self._plain(node, {})
        except _Slow:
            self.constructed_objects, self.recursive_objects = {}, {}
            return super().construct_document(node)
        self.constructed_objects, self.recursive_objects, self.deep_construct = {}, {}, False
        return data

    def _plain(self, node: Any, built: dict[int, Any]) -> Any:
        kind = node.__class__
        if kind is ScalarNode:
            return node.value if node.tag == _STR else self.construct_object(node)
        made = built.get(id(node))
        if made is not None:
            return made  # an alias: the anchored node's object
        if kind is MappingNode and node.tag == _MAP:
            data: dict[Any, Any] = {}
            built[id(node)] = data
            plain = self._plain
            for key_node, value_node in node.value:
                if key_node.__class__ is not ScalarNode or key_node.tag == _MERGE:
                    raise _Slow
                data[plain(key_node, built)] = plain(value_node, built)
            return data
        if kind is SequenceNode and node.tag == _SEQ:
            items: list[Any] = []
            built[id(node)] = items
            items.extend(self._plain(item, built) for item in node.value)
            return items
        raise _Slow


_MERGE = "tag:yaml.org,2002:merge"
ManifestLoader.add_constructor("tag:yaml.org,2002:value", yaml.constructor.SafeConstructor.construct_yaml_str)


def load_documents(text: str) -> list[Any]:
    """Every non-empty document of a YAML stream (libyaml's safe loader, plain data built directly)."""
    return [doc for doc in yaml.load_all(text, Loader=ManifestLoader) if doc is not None]
