"""The API server's rules for the keys of one CRD schema node (pipeline.crd_structural applies them).

From the CustomResourceDefinition documentation (what a schema may not set) and the API
server's structural schema validation (apiextensions-apiserver, schema/validation.go): the
forbidden keywords, `uniqueItems: true`, `additionalProperties: false`, additionalProperties
beside properties or at the root, the keys a node inside allOf, anyOf, oneOf or not may not
set, and the extensions x-kubernetes-int-or-string excludes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

KeyPath = tuple[str | int, ...]
ROOT = "the root"
_FORBIDDEN = ("definitions", "dependencies", "deprecated", "discriminator", "id", "patternProperties")
_FORBIDDEN += ("readOnly", "writeOnly", "xml", "$ref")
_FLAGS = ("nullable", "uniqueItems", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource")
_FLAGS += ("x-kubernetes-int-or-string",)
_NOT_NESTED = ("type", "additionalProperties", "default", "nullable", "x-kubernetes-preserve-unknown-fields")
_NOT_NESTED += ("x-kubernetes-embedded-resource", "x-kubernetes-int-or-string", "x-kubernetes-list-type")


@dataclass(frozen=True)
class Issue:
    """Something the API server refuses in a CRD schema: where (key path within the schema) and what."""

    path: KeyPath
    message: str


def dotted(parts: KeyPath) -> str:
    """properties.spec.items[0]: a key path as messages show it."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def at(path: KeyPath, *keys: str | int) -> KeyPath:
    """path, one or more keys further."""
    return (*path, *keys)


def key_issues(node: dict[str, Any], path: KeyPath, root: bool, nested: bool, catalog: bool) -> list[Issue]:
    """What the API server refuses among the keys of one schema node (a catalog schema: only $ref and flags)."""
    out: list[Issue] = []
    for key in _FORBIDDEN:
        if key in node and not (catalog and key in ("$ref", "definitions")):
            out.append(Issue(at(path, key), "is not allowed in a CRD schema"))
    for key in _FLAGS:
        if key in node and not isinstance(node[key], bool):
            out.append(Issue(at(path, key), f"must be true or false, not {node[key]!r}"))
    if catalog:
        if "$ref" in node and not (isinstance(node["$ref"], str) and node["$ref"].startswith("#/")):
            out.append(Issue(at(path, "$ref"), "only a reference within the file (#/...) is followed"))
        return out
    if node.get("uniqueItems") is True:
        out.append(Issue(at(path, "uniqueItems"), "cannot be true (use x-kubernetes-list-type: set)"))
    if node.get("additionalProperties") is False:
        out.append(Issue(at(path, "additionalProperties"), "cannot be false (unknown fields are pruned anyway)"))
    if "additionalProperties" in node and "properties" in node:
        out.append(Issue(at(path, "additionalProperties"), "cannot be set together with properties"))
    if "additionalProperties" in node and root:
        out.append(Issue(at(path, "additionalProperties"), "must not be used at the root"))
    if nested:
        for key in _NOT_NESTED:
            if key in node:
                out.append(Issue(at(path, key), "must not be set inside allOf, anyOf, oneOf or not"))
    both = node.get("x-kubernetes-int-or-string") is True
    for key in ("x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource"):
        if both and node.get(key) is True:
            out.append(Issue(at(path, key), "must be false if x-kubernetes-int-or-string is true"))
    return out
