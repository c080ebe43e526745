"""A CRD version's openAPIV3Schema as the JSON Schema (draft 2020-12) a validator applies, and
what the API server would refuse in it.

The API server validates a custom resource against its CRD's structural schema after pruning and
defaulting; translated here so that jsonschema, and the compiled predicates, judge the same:

- unknown fields: the API server prunes them silently, but `kubectl apply` with server-side field
  validation Strict (what we hold a manifest to) refuses them, so each object node not marked
  `x-kubernetes-preserve-unknown-fields` gets `additionalProperties: false` and an unknown field
  is a problem naming it. apiVersion, kind and metadata (Kubernetes' ObjectMeta, strict) are
  always allowed at the root and in `x-kubernetes-embedded-resource` nodes, which also require
  apiVersion and kind, as the API server does.
- `nullable: true` admits null. A null in a non-nullable field is pruned before validation, so
  it passes unless the field is required (then it is missing).
- a required field with a `default` is defaulted before validation: not required here.
- `x-kubernetes-int-or-string` is an integer or a string; `x-kubernetes-list-type: set` has
  unique items; OpenAPI's boolean exclusiveMinimum/Maximum become draft 2020-12's numbers.
- `pattern` is RE2 (pipeline.re2_match), never Python's backtracking re.

Not checked (the API server checks them; we cannot, or not yet): CEL rules
(`x-kubernetes-validations`), `format`, `x-kubernetes-list-type: map` key uniqueness, and a
pattern using a Unicode script class (\\p{Greek}).

Issues are what the API server refuses in the CRD (forbidden keywords, a missing type, a
malformed value, a pattern RE2 rejects); a schema with any issue yields no validator. Catalog
schemas (--schema-dir, already converted to JSON Schema by openapi2jsonschema) may also hold
`additionalProperties: false`, `uniqueItems` and local `$ref`s, and are not held to the
structural rules.
"""

from __future__ import annotations

import numbers
from typing import Any

from pipeline.crd_rules import ROOT, Issue, KeyPath, key_issues
from pipeline.crd_rules import at as _at
from pipeline.kube_definitions import OBJECT_META
from pipeline.re2_match import Re2Error, TooLarge
from pipeline.re2_match import compile as re2_compile

MAX_DEPTH = 100
_TYPES = ("object", "array", "string", "integer", "number", "boolean")
_COUNTS = ("maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties")
_NUMBERS = ("maximum", "minimum", "multipleOf")
_INT_OR_STRING = [{"type": "integer"}, {"type": "string"}]
_FIELD, _ITEM = "specified object fields", "specified array items"


class _Translator:
    def __init__(self, catalog: bool):
        self.catalog = catalog
        self.issues: list[Issue] = []

    def issue(self, path: KeyPath, message: str) -> None:
        self.issues.append(Issue(path, message))

    def schema(self, node: Any, path: KeyPath, level: str, nested: bool, null_ok: bool, depth: int) -> dict[str, Any]:
        if not isinstance(node, dict):
            self.issue(path, f"must be a schema (a mapping), not {type(node).__name__}")
            return {}
        if depth > MAX_DEPTH:
            self.issue(path, f"nested deeper than {MAX_DEPTH} schema levels")
            return {}
        out: dict[str, Any] = {}
        self.issues += key_issues(node, path, level == ROOT, nested, self.catalog)
        for key in _COUNTS:
            if key in node:
                value = node[key]
                if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                    out[key] = value
                else:
                    self.issue(_at(path, key), f"must be a non-negative integer, not {value!r}")
        self.numbers(node, path, out)
        self.pattern(node, path, out)
        if isinstance(node.get("format"), str):
            out["format"] = node["format"]  # int32: the range of an integer (pipeline.kube_integers)
        if "enum" in node:
            if isinstance(node["enum"], list):
                out["enum"] = list(node["enum"])
            else:
                self.issue(_at(path, "enum"), "must be a list")
        int_or_string = node.get("x-kubernetes-int-or-string") is True
        preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
        embedded = node.get("x-kubernetes-embedded-resource") is True
        types = self.types(node, path, level, nested, int_or_string, preserve, embedded)
        if types:
            out["type"] = types[0] if len(types) == 1 else types
        if node.get("uniqueItems") is True or node.get("x-kubernetes-list-type") == "set":
            out["uniqueItems"] = True
        self.object(node, path, out, nested, preserve, embedded, "object" in types, depth)
        if "items" in node:
            item = node["items"]
            if isinstance(item, dict):
                nullable = item.get("nullable") is True
                out["items"] = self.schema(item, _at(path, "items"), _ITEM, nested, nullable, depth + 1)
            else:
                self.issue(_at(path, "items"), "must be one schema (a mapping), not a list")
        elif "array" in types and not nested and not self.catalog:
            self.issue(_at(path, "items"), "must be specified for an array")
        self.junctors(node, path, out, int_or_string, depth)
        if null_ok and ("type" in out or "enum" in out):
            return {"if": {"type": "null"}, "else": out}  # null admitted; any other value judged by out
        return out

    def numbers(self, node: dict[str, Any], path: KeyPath, out: dict[str, Any]) -> None:
        for key in _NUMBERS:
            if key in node:
                value = node[key]
                if isinstance(value, numbers.Real) and not isinstance(value, bool):
                    if key != "multipleOf" or value > 0:
                        out[key] = value
                        continue
                self.issue(_at(path, key), f"must be a {'positive ' if key == 'multipleOf' else ''}number")
        for key, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            value = node.get(key)
            if key not in node or value is False:
                continue
            if value is True and bound in out:
                out[key] = out.pop(bound)
            elif self.catalog and isinstance(value, numbers.Real) and not isinstance(value, bool):
                out[key] = value
            elif value is not True:
                self.issue(_at(path, key), f"must be true or false, not {value!r}")

    def pattern(self, node: dict[str, Any], path: KeyPath, out: dict[str, Any]) -> None:
        if "pattern" not in node:
            return
        try:
            re2_compile(node["pattern"])
        except TooLarge:
            return  # valid for Go's regexp, past RE2's memory budget here: left unchecked
        except (Re2Error, TypeError) as error:
            self.issue(_at(path, "pattern"), f"must be a valid RE2 regular expression: {error}")
            return
        out["pattern"] = node["pattern"]

    def types(self, node: dict, path: KeyPath, level: str, nested: bool, ios: bool, keep: bool, embedded: bool) -> list:
        declared = node.get("type")
        if ios:
            return ["integer", "string"]
        if declared is None:
            if not nested and not keep and not self.catalog:
                self.issue(_at(path, "type"), f"must not be empty for {level}")
            return ["object"] if embedded else []
        allowed = (*_TYPES, "null") if self.catalog else _TYPES
        declared_list = declared if self.catalog and isinstance(declared, list) else [declared]
        if not declared_list or not all(isinstance(t, str) and t in allowed for t in declared_list):
            self.issue(_at(path, "type"), f"must be one of {', '.join(_TYPES)}, not {declared!r}")
            return []
        if level == ROOT and declared_list != ["object"] and not self.catalog:
            self.issue(_at(path, "type"), "must be object at the root")
        if embedded and declared_list != ["object"]:
            self.issue(_at(path, "type"), "must be object if x-kubernetes-embedded-resource is true")
        return list(declared_list)

    def object(
        self, node: dict, path: KeyPath, out: dict, nested: bool, keep: bool, embedded: bool, typed: bool, depth
    ):
        properties = node.get("properties")
        required = node.get("required")
        if required is not None and not (isinstance(required, list) and all(isinstance(r, str) for r in required)):
            self.issue(_at(path, "required"), "must be a list of field names")
            required = None
        if properties is not None and not isinstance(properties, dict):
            self.issue(_at(path, "properties"), "must be a mapping of field names to schemas")
            properties = None
        properties = properties or {}
        defaulted = {name for name, sub in properties.items() if isinstance(sub, dict) and "default" in sub}
        needed = [name for name in required or () if name not in defaulted]
        translated = {}
        for name, sub in properties.items():
            null_ok = (isinstance(sub, dict) and sub.get("nullable") is True) or name not in needed
            where = _at(path, "properties", name)
            translated[name] = self.schema(sub, where, _FIELD, nested, null_ok, depth + 1)
        if embedded:
            translated.setdefault("apiVersion", {"type": "string", "minLength": 1})
            translated.setdefault("kind", {"type": "string", "minLength": 1})
            translated["metadata"] = {"$ref": OBJECT_META}
            needed = sorted({*needed, "apiVersion", "kind"})
        if translated:
            out["properties"] = translated
        if needed:
            out["required"] = needed
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            where = _at(path, "additionalProperties")
            out["additionalProperties"] = self.schema(extra, where, _FIELD, nested, True, depth + 1)
        elif isinstance(extra, bool):
            # a catalog's converter adds false to every object, x-kubernetes-preserve-unknown-fields or not
            out["additionalProperties"] = extra or keep
        elif extra is not None:
            self.issue(_at(path, "additionalProperties"), "must be a schema, true or false")
        elif (typed or properties) and not keep and not nested:
            out["additionalProperties"] = False  # unknown fields: refused, as by Strict field validation

    def junctors(
        self, node: dict[str, Any], path: KeyPath, out: dict[str, Any], int_or_string: bool, depth: int
    ) -> None:
        for key in ("allOf", "anyOf", "oneOf"):
            if key not in node:
                continue
            subs = node[key]
            if not isinstance(subs, list) or not subs:
                self.issue(_at(path, key), "must be a non-empty list of schemas")
                continue
            if int_or_string and key == "anyOf" and subs == _INT_OR_STRING:
                continue  # the int-or-string pattern: what `type` says already
            if (
                int_or_string
                and key == "allOf"
                and isinstance(subs[0], dict)
                and subs[0].get("anyOf") == _INT_OR_STRING
            ):
                subs = subs[1:] or [{}]
            out[key] = [
                self.schema(sub, _at(path, key, i), _FIELD, True, False, depth + 1) for i, sub in enumerate(subs)
            ]
        if "not" in node:
            out["not"] = self.schema(node["not"], _at(path, "not"), _FIELD, True, False, depth + 1)


def structural_schema(schema: Any, catalog: bool = False) -> tuple[dict[str, Any] | None, list[Issue]]:
    """The JSON Schema a custom resource is validated against, or None and the issues that stop it.

    schema: a CRD version's spec.versions[*].schema.openAPIV3Schema, or (catalog) such a schema
    converted by the community catalogs' openapi2jsonschema.
    """
    translator = _Translator(catalog)
    root = translator.schema(schema, (), ROOT, False, False, 0)
    if isinstance(schema, dict):
        _root_metadata(schema, root, translator)
        if catalog:
            for key in ("definitions", "$defs"):
                if isinstance(schema.get(key), dict):
                    root[key] = {
                        name: translator.schema(sub, (key, name), _FIELD, False, False, 1)
                        for name, sub in schema[key].items()
                    }
    if translator.issues:
        return None, translator.issues
    return root, []


def _root_metadata(schema: dict[str, Any], root: dict[str, Any], translator: _Translator) -> None:
    """apiVersion, kind and metadata at the root, implicitly; metadata may restrict only name and generateName."""
    properties = root.setdefault("properties", {})
    given = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for key in ("apiVersion", "kind"):
        declared = given.get(key)
        if isinstance(declared, dict) and declared.get("type", "string") != "string" and not translator.catalog:
            translator.issue(("properties", key, "type"), "must be string")
        properties[key] = {"type": "string"}
    metadata: dict[str, Any] = {"$ref": OBJECT_META}
    declared_meta = given.get("metadata")
    if isinstance(declared_meta, dict):
        extra = set((declared_meta.get("properties") or {}).keys()) - {"name", "generateName"}
        if extra and not translator.catalog:
            translator.issue(
                ("properties", "metadata"),
                "must not specify anything other than name and generateName (it is implicit)",
            )
        declared = declared_meta.get("properties") if isinstance(declared_meta.get("properties"), dict) else {}
        narrowed = {
            key: translator.schema(sub, ("properties", "metadata", "properties", key), _FIELD, False, True, 2)
            for key, sub in declared.items()
            if key in ("name", "generateName")
        }
        if narrowed:
            metadata = {"allOf": [metadata, {"properties": narrowed}]}
    properties["metadata"] = metadata
