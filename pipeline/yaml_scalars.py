"""YAML scalars and keys as kubectl reads them (sigs.k8s.io/yaml over go-yaml), or why not.

PyYAML resolves a scalar by YAML 1.1 (ManifestLoader's resolver); the value is then what
kubectl would send: a timestamp, a base-60 number (`10:30`) and `=` stay strings, `1e3` (no
dot, which PyYAML reads as a string) is a number, a scalar key is a string (`1:` is "1",
`true:` is "true"). BadScalar says what no Kubernetes object can hold: a tag other than YAML's
plain types (`!foo`, `!!binary`, `!!python/...`), NaN and infinity, numbers beyond float64
or of more than 4300 digits, a string longer than MAX_STRING, a null or collection as a key.

One reading differs from go-yaml's: `!!str 1e3` (an explicit tag on a plain scalar) is the
number too, as the node tree does not keep whether a tag was written; '1e3' quoted is a string.
(Resolving exponents in the loader instead would cost a Python call per scalar of every file.)
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

from yaml.nodes import Node, ScalarNode

from model.compose import shown_tag
from pipeline.yaml_output import ManifestLoader

MAX_STRING = 1536 * 1024  # etcd's request limit (1.5 MiB): no value Kubernetes stores is longer
CORE = "tag:yaml.org,2002:"
STR, MERGE = CORE + "str", CORE + "merge"
_INT, _FLOAT, _BOOL, _NULL = (CORE + t for t in ("int", "float", "bool", "null"))
_AS_WRITTEN = frozenset({CORE + "timestamp", CORE + "value"})
NUMBER_START = frozenset("0123456789+-.")
_EXPONENT_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+\Z")  # go-yaml's; PyYAML misses it
_FLOAT_MAX = 2**1024  # an int at or beyond it has no float64
PLAIN_DATA = "Kubernetes objects hold plain mappings, lists, strings, numbers, booleans and null"
_BUILT: dict[tuple[str, str], Any] = {}  # (tag, text) -> value, for numbers, booleans and null


class BadScalar(Exception):
    """A scalar (or key) no Kubernetes object holds: what is wrong, and a hint."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


def string(node: ScalarNode) -> str:
    """A string scalar's text, within MAX_STRING."""
    value = node.value
    if len(value) > MAX_STRING:
        raise BadScalar(
            f"a string of {len(value)} characters: at most {MAX_STRING} (1.5 MiB, etcd's limit) are read",
            "no Kubernetes object holds a value this long: keep large data out of manifests",
        )
    return value


def scalar(node: ScalarNode) -> Any:
    """A scalar's value as kubectl reads it."""
    tag, text = node.tag, node.value
    if tag == STR:
        value = string(node)
        if not node.style and value and value[0] in NUMBER_START and _EXPONENT_FLOAT.match(value):
            return _finite(text, float(value))
        return value
    built = _BUILT.get((tag, text))
    if built is not None:
        return built
    if tag in _AS_WRITTEN or (tag in (_INT, _FLOAT) and ":" in text):
        return string(node)  # as go-yaml reads them: strings (no dates, no base 60)
    if tag not in (_INT, _FLOAT, _BOOL, _NULL):
        raise BadScalar(
            f"unsupported YAML tag {shown_tag(tag)!r}",
            "write the base64 text as a plain string" if tag == CORE + "binary" else PLAIN_DATA,
        )
    loader = _constructor()
    try:
        value = loader.construct_object(node)
    except (ValueError, KeyError, TypeError, ArithmeticError) as error:
        message = f"{text[:40]!r} is not a valid !!{tag.removeprefix(CORE)}"
        if "digits" in str(error):
            message = "integers of more than 4300 digits are not read"
        raise BadScalar(message, "write a plain number or string") from None
    finally:
        loader.constructed_objects.clear()
    if isinstance(value, float):
        value = _finite(text, value)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _FLOAT_MAX:
        raise BadScalar("a number beyond float64's range, which no Kubernetes field holds", "write a smaller number")
    if value is not None and len(_BUILT) < 10_000:
        _BUILT[(tag, text)] = value
    return value


def key(node: Node) -> str:
    """A mapping key as the string kubectl makes of it; MERGE for <<."""
    if node.__class__ is not ScalarNode:
        raise BadScalar("a mapping key must be a string, not a mapping or list", "write keys as plain names")
    if node.tag == STR:
        return string(node)
    if node.tag == MERGE:
        return MERGE
    value = scalar(node)  # type: ignore[arg-type]
    if value is None:
        raise BadScalar("a mapping key must be a string, not null", "quote a key that reads as null: '~'")
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else repr(value)


def _finite(text: str, value: float) -> float:
    if math.isfinite(value):
        return value
    raise BadScalar(
        f"{text[:40]!r} is not a finite number: JSON, and so Kubernetes, has no NaN or infinity",
        "write a finite number, or quote the value to make it a string",
    )


@cache
def _constructor() -> ManifestLoader:
    """PyYAML's scalar constructors (int, float, bool, null), one loader for all (making one costs)."""
    return ManifestLoader("")
