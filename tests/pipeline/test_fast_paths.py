"""The speed-ups the fleet benchmark drove change no result.

- pipeline.kube_schema.fast_validator: each kind's schema compiled to a predicate; it must accept
  exactly what jsonschema accepts (checked on every rendered kind and on thousands of mutated
  objects: wrong types, unknown and missing fields, empty and odd values).
- pipeline.yaml_output.ManifestDumper: its own representer and resolver cache must write the same
  bytes as PyYAML's safe representer.
"""

from __future__ import annotations

import copy
import datetime
import random

import pytest
import yaml

from pipeline import kube_schema, kube_schema_compiler, yaml_output
from tests.conftest import key_paths

ODD_VALUES = (
    "x",
    "",
    0,
    1,
    -1,
    3.0,
    2.5,
    True,
    False,
    None,
    [],
    {},
    ["a"],
    {"a": 1},
    "100m",
    "1Gi",
    "TCP",
    "Always",
    "a" * 300,
    "UPPER_case",
    2**40,
)


def _at(node, path):
    for part in path:
        node = node[part]
    return node


def mutated(manifest: dict, rng: random.Random) -> dict:
    """The manifest with one to three random edits: a value replaced, a key removed or added, an item appended."""
    out = copy.deepcopy(manifest)
    for _ in range(rng.choice((1, 1, 2, 3))):
        path = rng.choice([p for p in key_paths(out) if p])
        parent, key = _at(out, path[:-1]), path[-1]
        target, roll = _at(out, path), rng.random()
        if roll < 0.55:
            parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif roll < 0.7 and isinstance(parent, dict):
            del parent[key]
        elif isinstance(target, dict):
            target[rng.choice(("unknownField", "name", "x-y"))] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif isinstance(target, list):
            target.append(copy.deepcopy(rng.choice((*ODD_VALUES, target[0] if target else 1))))
        else:
            parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
    return out


@pytest.fixture(scope="module")
def by_kind(rendered) -> dict[tuple[str, str], list[dict]]:
    out: dict[tuple[str, str], list[dict]] = {}
    for stage in rendered.values():
        for manifest in stage.manifests:
            out.setdefault((manifest["apiVersion"], manifest["kind"]), []).append(manifest)
    return out


def test_every_rendered_kind_compiles_and_passes(by_kind):
    for (api_version, kind), manifests in by_kind.items():
        fast = kube_schema.fast_validator(api_version, kind)
        assert fast is not None, f"{api_version} {kind} is judged by jsonschema alone"
        assert all(fast(m) for m in manifests), kind


def test_compiled_schemas_accept_exactly_what_jsonschema_accepts(by_kind):
    rng = random.Random(20261124)
    compared = rejected = 0
    for (api_version, kind), manifests in sorted(by_kind.items()):
        validator = kube_schema.validator_for(api_version, kind)
        fast = kube_schema.fast_validator(api_version, kind)
        for _ in range(120):
            candidate = mutated(rng.choice(manifests), rng)
            expected = validator.is_valid(candidate)
            assert fast(candidate) == expected, (kind, candidate, list(validator.iter_errors(candidate))[:3])
            compared += 1
            rejected += not expected
    assert rejected > compared // 2  # the mutations do reach the schemas' rules


def test_check_manifest_reports_what_it_reports_without_the_compiled_schemas(by_kind, monkeypatch):
    rng = random.Random(7)
    candidates = [mutated(rng.choice(manifests), rng) for manifests in by_kind.values() for _ in range(40)]
    fast = [kube_schema.check_manifest(c) for c in candidates]
    monkeypatch.setattr(kube_schema, "fast_validator", lambda api_version, kind: None)
    assert fast == [kube_schema.check_manifest(c) for c in candidates]
    assert sum(bool(problems) for problems in fast) > len(candidates) // 2


def test_a_schema_with_a_keyword_not_compiled_is_left_to_jsonschema():
    import jsonschema

    validator = jsonschema.Draft202012Validator({"type": "object", "dependentRequired": {"a": ["b"]}})
    with pytest.raises(kube_schema_compiler._Unsupported):
        kube_schema_compiler._Compiler(validator).compile(validator.schema, validator._resolver)


class _Reference(yaml.CSafeDumper):
    """The dumper as PyYAML writes it: its own safe representer and resolver."""

    def ignore_aliases(self, data):
        return True


_Reference.add_representer(str, yaml_output._represent_str)


def _reference(data) -> str:
    return yaml.dump(data, **{**yaml_output._OPTIONS, "Dumper": _Reference})


ODD_DOCUMENTS = (
    {"b": 1, "a": [1, 2.5, None, True, "yes", "no", "on", "0123", "1e3", "0x1F", "~", "null", ""]},
    {"text": "line one\nline two\n", "trailing": "no newline\nat end", "unicode": "Übersicht — 计划 ✓"},
    {"empty": {}, "list": [], "nested": [[], [{}], {"k": []}], "float": float("inf"), "nan": -0.0},
    {"quoted": "a: b", "hash": "#x", "colon": "x:", "star": "*x", "amp": "&x", "dash": "- x", "spaces": "  x  "},
    {"date": datetime.date(2026, 11, 24), "tuple": (1, 2), 3: "int key", "big": 2**70, "neg": -5},
    {"=": "value", "<<": "merge", "true": "key", "?": "q", "long": "x" * 2000, "tab": "a\tb"},
)


def test_manifest_dumper_writes_what_pyyaml_writes(by_kind):
    for manifests in by_kind.values():
        for manifest in manifests:
            assert yaml_output.dump_manifest(manifest) == _reference(manifest)
    for document in ODD_DOCUMENTS:
        assert yaml_output.dump_manifest(document) == _reference(document)
    assert yaml_output.dump_documents(list(ODD_DOCUMENTS[:3])) == yaml.dump_all(
        list(ODD_DOCUMENTS[:3]), explicit_start=True, **{**yaml_output._OPTIONS, "Dumper": _Reference}
    )


ODD_YAML = (
    "a: &anchor {k: [1, 2]}\nb: *anchor\nc: [*anchor, *anchor]\n",
    "base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n",
    "ints: [0o17, 0x1F, 1_000, -5, +3, 0, 012]\nbools: [yes, No, on, OFF, true, False]\nnulls: [~, null, '', ]\n",
    "floats: [1.5, .inf, -.Inf, 1e3, 6.8523015e+5, 190:20:30.15]\nsexagesimal: 190:20:30\n",
    "when: 2026-11-24\nstamp: 2026-11-24T10:00:00Z\nbinary: !!binary aGVsbG8=\nset: !!set {a, b}\n",
    "omap: !!omap [a: 1, b: 2]\npairs: !!pairs [a: 1, a: 2]\nstr: !!str 123\nint: !!int '7'\n",
    "dup: 1\ndup: 2\n'quoted key': \"x\\ty\"\n? complex\n: value\n1: int key\n2.5: float key\nnull: null key\n",
    "---\nfirst: 1\n---\n---\n- second\n- {a: b}\n...\n",
    "text: |\n  line one\n  line two\nfolded: >\n  folded\n  text\nunicode: Übersicht — 计划 ✓\n",
    "empty_map: {}\nempty_list: []\nnested: [[[]], {a: {b: {c: [1, {d: e}]}}}]\n",
)


def test_manifest_loader_reads_what_pyyaml_reads(by_kind):
    for text in ODD_YAML:
        expected = [d for d in yaml.load_all(text, Loader=yaml.CSafeLoader) if d is not None]
        assert yaml_output.load_documents(text) == expected, text
    (first,) = yaml_output.load_documents(ODD_YAML[0])
    assert first["a"] is first["b"] is first["c"][0] is first["c"][1]  # aliases: one object, as PyYAML's
    for manifests in by_kind.values():
        for manifest in manifests[:20]:
            text = yaml_output.dump_manifest(manifest)
            assert yaml_output.load_documents(text) == [manifest]
            # composed by one loader and constructed by another, as pipeline.manifest_input reads files
            (node,) = yaml.compose_all(text, Loader=yaml_output.ManifestLoader)
            assert yaml_output.ManifestLoader("").construct_document(node) == manifest


def test_manifest_loader_fails_as_pyyaml_fails():
    for text in ("a: [1, 2\n", "? [a, b]\n: c\n", "a: !!python/object:os.system x\n", "a: *missing\n"):
        with pytest.raises(yaml.YAMLError) as theirs:
            list(yaml.load_all(text, Loader=yaml.CSafeLoader))
        with pytest.raises(type(theirs.value)):
            yaml_output.load_documents(text)
