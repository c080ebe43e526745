"""A CRD whose schema the API server would refuse is a problem on that CRD, never a crash; a
hostile CRD (deep, a huge enum, a $ref to a file, catastrophic patterns) is checked in seconds."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest
import yaml

from pipeline.kube_schema import check_manifests

FIXTURES = Path(__file__).parent / "crd_fixtures"
CRD = yaml.safe_load((FIXTURES / "crds" / "certificates.cert-manager.io.yaml").read_text())
PREFIX = "spec.versions[0].schema.openAPIV3Schema"
CR = {
    "apiVersion": "cert-manager.io/v1",
    "kind": "Certificate",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"secretName": "web-tls", "issuerRef": {"name": "ca"}},
}


def with_spec_field(name: str, schema: object) -> dict:
    crd = copy.deepcopy(CRD)
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"][name] = schema
    return crd


def crd_problems(crd: dict) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in check_manifests([crd]) if p.resource.startswith("CustomResourceDefinition")]


@pytest.mark.parametrize(
    ("schema", "path", "message"),
    [
        ({"type": "strin"}, "x.type", "must be one of object, array, string, integer, number, boolean, not 'strin'"),
        ({"description": "no type"}, "x.type", "must not be empty for specified object fields"),
        ({"type": "array"}, "x.items", "must be specified for an array"),
        ({"type": "array", "items": [{"type": "string"}]}, "x.items", "must be one schema (a mapping), not a list"),
        (
            {"type": "string", "pattern": "(a"},
            "x.pattern",
            "must be a valid RE2 regular expression: missing ): (a",
        ),
        (
            {"type": "string", "pattern": "(?=a)b"},
            "x.pattern",
            "must be a valid RE2 regular expression: invalid perl operator: (?=",
        ),
        (
            {"type": "string", "pattern": "(a)\\1"},
            "x.pattern",
            "must be a valid RE2 regular expression: invalid escape sequence: \\1",
        ),
        ({"type": "object", "$ref": "file:///etc/passwd"}, "x.$ref", "is not allowed in a CRD schema"),
        (
            {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
            "x.uniqueItems",
            "cannot be true (use x-kubernetes-list-type: set)",
        ),
        (
            {"type": "object", "additionalProperties": False},
            "x.additionalProperties",
            "cannot be false (unknown fields are pruned anyway)",
        ),
        # malformed values: the CustomResourceDefinition kind's own schema says so (once)
        ({"type": "integer", "minimum": "one"}, "x.minimum", "'one' is not of type 'number', 'null'"),
        ({"type": "string", "maxLength": -1}, "x.maxLength", "must be a non-negative integer, not -1"),
        ({"type": "string", "enum": "a"}, "x.enum", "'a' is not of type 'array', 'null'"),
        ({"type": "object", "required": "a"}, "x.required", "'a' is not of type 'array', 'null'"),
        (
            {"type": "string", "anyOf": [{"type": "string"}]},
            "x.anyOf[0].type",
            "must not be set inside allOf, anyOf, oneOf or not",
        ),
        (
            {"x-kubernetes-int-or-string": True, "x-kubernetes-preserve-unknown-fields": True},
            "x.x-kubernetes-preserve-unknown-fields",
            "must be false if x-kubernetes-int-or-string is true",
        ),
        (
            {"type": "string", "x-kubernetes-embedded-resource": True},
            "x.type",
            "must be object if x-kubernetes-embedded-resource is true",
        ),
        ("a string", "x", "'a string' is not of type 'object', 'null'"),
    ],
)
def test_a_crd_with_a_broken_schema_is_a_problem_and_its_resources_are_not_validated(schema, path, message):
    crd = with_spec_field("x", schema)
    assert crd_problems(crd) == [(f"{PREFIX}.properties.spec.properties.{path}", message)]
    (problem,) = [p for p in check_manifests([crd, CR]) if p.resource == "Certificate shop/web"]
    assert problem.not_validated
    assert problem.message == (
        "not validated: the schema of v1 of CustomResourceDefinition certificates.cert-manager.io is invalid "
        "(the problems are reported on it)"
    )


def test_root_rules_missing_schema_and_metadata_restrictions():
    crd = copy.deepcopy(CRD)
    root = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    root["type"] = "array"
    root["properties"]["metadata"] = {"type": "object", "properties": {"labels": {"type": "object"}}}
    root["additionalProperties"] = {"type": "string"}
    assert crd_problems(crd) == [
        (f"{PREFIX}.additionalProperties", "cannot be set together with properties"),
        (f"{PREFIX}.additionalProperties", "must not be used at the root"),
        (f"{PREFIX}.type", "must be object at the root"),
        (f"{PREFIX}.items", "must be specified for an array"),
        (
            f"{PREFIX}.properties.metadata",
            "must not specify anything other than name and generateName (it is implicit)",
        ),
    ]
    del crd["spec"]["versions"][0]["schema"]
    assert crd_problems(crd) == [
        (PREFIX, "missing: apiextensions.k8s.io/v1 needs a schema for every version"),
    ]


def test_a_crd_that_is_no_crd_shape_at_all_is_left_to_the_crd_kinds_own_schema():
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "x.y.z"}}
    crd["spec"] = {"group": ["not", "a", "string"], "versions": "v1", "names": 3}
    found = check_manifests([crd])
    assert found and all(not p.not_validated for p in found)  # the CRD's schema says what is wrong


def test_many_problems_in_one_schema_are_capped():
    crd = copy.deepcopy(CRD)
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
    spec.update({f"f{i}": {"type": "nothing"} for i in range(100)})
    found = crd_problems(crd)
    assert len(found) == 21 and found[-1] == (PREFIX, "and 80 more problems in this schema")


def _deep(levels: int) -> dict:
    node: dict = {"type": "string"}
    for _ in range(levels):
        node = {"type": "object", "properties": {"a": node}}
    return node


def _value(levels: int) -> object:
    value: object = "x"
    for _ in range(levels):
        value = {"a": value}
    return value


def test_hostile_crds_finish_in_seconds():
    evil = ["^(a+)+$", "^(a|aa)+$", "^(x+x+)+y$", "(.*a){20}", "^((a*)*)*b$", "(a|a|a|a|a|a|a|a)*c"]
    fields = {f"p{i}": {"type": "string", "pattern": p} for i, p in enumerate(evil)}
    fields["colour"] = {"type": "string", "enum": [f"c{i}" for i in range(200_000)]}
    fields["deep"] = _deep(45)
    crd = copy.deepcopy(CRD)
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"].update(fields)
    hostile = copy.deepcopy(CR)
    hostile["spec"].update({f"p{i}": "a" * 50_000 + "!" for i in range(len(evil))})
    hostile["spec"]["colour"] = "c199999"
    hostile["spec"]["deep"] = _value(45)
    started = time.monotonic()
    found = check_manifests([crd, hostile, {**hostile, "metadata": {"name": "again", "namespace": "shop"}}])
    assert time.monotonic() - started < 10
    assert [p.path for p in found if p.resource == "Certificate shop/web"] == [
        f"spec.p{i}" for i in range(len(evil)) if i != 3
    ]  # (.*a){20} matches: 50,000 a's hold twenty a's
    wrong = copy.deepcopy(hostile)
    wrong["spec"]["colour"] = "c-1"
    (problem,) = [p for p in check_manifests([crd, wrong]) if p.path == "spec.colour"]
    assert len(problem.message) < 600  # the 200,000 choices are not all quoted


def test_no_mangled_crd_crashes_the_check():
    import random

    from tests.pipeline.test_fast_paths import mutated

    rng = random.Random(14)
    reported = 0
    for _ in range(300):
        crd = mutated(CRD, rng)
        found = check_manifests([crd, CR, {**CR, "spec": {"secretName": 1}}])  # never raises
        reported += any(p.resource.startswith("CustomResourceDefinition") for p in found)
    assert reported > 100
