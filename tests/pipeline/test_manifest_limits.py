"""The limits of reading manifests, unit by unit, at their boundaries.

- pipeline.manifest_yaml / yaml_scalars: the data built equals PyYAML's where kubectl reads the
  same, differs where kubectl reads otherwise (timestamps, base 60, exponents, keys), and each
  limit (depth, aliases, string length) lets its value through and refuses one more
- pipeline.manifest_input: object and input sizes, the input limit shared by the files of a run
- pipeline.kube_limits / kube_integers: Kubernetes' own limits at their edges, and the compiled
  schema predicates agreeing with jsonschema on them
- pipeline.json_input / input_text: depth, numbers, encodings, streams
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import yaml

from model.errors import InputError
from pipeline import kube_limits, kube_schema, manifest_input, manifest_yaml
from pipeline.input_text import TooLarge, decode, read_bytes
from pipeline.json_input import read_json
from pipeline.kube_integers import INT32, INT64, is_integer
from pipeline.manifest_input import read_manifests
from pipeline.reports import text as text_report
from pipeline.yaml_output import dump_documents

HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n"


def read(tmp_path: Path, text: str, name: str = "in.yaml") -> list[dict]:
    path = tmp_path / name
    path.write_text(text)
    return [s.manifest for s in read_manifests([path])]


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(InputError) as error:
        read(tmp_path, text)
    return error.value.report()


# --- the data built ---------------------------------------------------------------------------


def test_rendered_manifests_read_back_as_rendered(rendered, tmp_path):
    for stage in rendered.values():
        manifests = list(stage.manifests)
        path = tmp_path / f"{stage.stage}.yaml"
        path.write_text(dump_documents(manifests))
        assert [s.manifest for s in read_manifests([path])] == manifests
        assert [s.manifest for s in read_manifests([path])] == list(yaml.safe_load_all(path.read_text()))


@pytest.mark.parametrize(
    "data",
    [
        "base: &b {x: 1, y: [2, 3]}\nderived:\n  <<: *b\n  y: 4\n",
        "a: &a {k: 1, j: 2}\nb: &b {k: 3, m: 4}\nc:\n  <<: [*a, *b]\n  n: 5\n",
        "list: &l [1, {a: b}]\nagain: *l\nscalar: &s text\nthat: *s\n",
        "ints: [0x1F, 017, 1_000, -5, +3]\nbools: [yes, No, on, OFF, true]\nnulls: [~, null, '']\nf: [1.5, .5]\n",
    ],
    ids=["merge", "merge-order", "aliases", "yaml-1.1-scalars"],
)
def test_anchors_merges_and_scalars_read_as_pyyaml_reads_them(tmp_path, data):
    (manifest,) = read(tmp_path, HEAD + "spec:\n" + "".join(f"  {line}\n" for line in data.splitlines()))
    assert manifest["spec"] == yaml.safe_load(data)


def test_an_alias_is_one_object_as_in_pyyaml(tmp_path):
    (manifest,) = read(tmp_path, HEAD + "spec:\n  a: &a {k: [1]}\n  b: *a\n")
    assert manifest["spec"]["a"] is manifest["spec"]["b"]


def test_scalars_read_as_kubectl_reads_them(tmp_path):
    (manifest,) = read(
        tmp_path,
        HEAD + "spec: {day: 2026-11-24, at: 2026-11-24T10:00:00Z, time: 10:30, n: 1e3, m: -2.5E-2, eq: =, "
        "1: one, true: yes, 2.5: half, quoted: '1e3'}\n",
    )
    assert manifest["spec"] == {
        "day": "2026-11-24",
        "at": "2026-11-24T10:00:00Z",
        "time": "10:30",
        "n": 1000.0,
        "m": -0.025,
        "eq": "=",
        "1": "one",
        "true": True,
        "2.5": "half",
        "quoted": "1e3",
    }


# --- limits of the YAML read ---------------------------------------------------------------------


def nested(depth: int) -> str:
    """A value depth levels deep below `spec` (spec itself and the document are two more)."""
    return "[" * depth + "]" * depth


def test_nesting_up_to_the_limit_is_read_and_one_more_is_refused(tmp_path):
    below = manifest_yaml.MAX_DEPTH - 1  # the document is the first level
    assert read(tmp_path, HEAD + f"spec: {nested(below)}\n")
    report = refused(tmp_path, HEAD + f"spec: {nested(below + 1)}\n")
    assert f"in.yaml:4:{below + 7}: spec" in report and "nested deeper than 100 levels" in report


def test_an_alias_placing_a_deep_anchor_deeper_is_refused(tmp_path):
    text = HEAD + f"spec:\n  a: &deep {nested(60)}\n  b: {'[' * 40}*deep{']' * 40}\n"
    assert "nested deeper than 100 levels" in refused(tmp_path, text)
    assert read(tmp_path, HEAD + f"spec:\n  a: &deep {nested(60)}\n  b: {'[' * 30}*deep{']' * 30}\n")


def alias_fan(total: int) -> str:
    """A document whose aliases add about total to the budget: a list of 1000 one-character items (2001
    values and characters) used total/2001 times."""
    uses = total // 2001
    return HEAD + "spec:\n  a: &a [" + ", ".join(["1"] * 1000) + "]\n  b: [" + ", ".join(["*a"] * uses) + "]\n"


def test_aliases_expand_up_to_the_budget_and_no_further(tmp_path):
    assert read(tmp_path, alias_fan(manifest_yaml.ALIAS_BUDGET - 50_000))
    report = refused(tmp_path, alias_fan(manifest_yaml.ALIAS_BUDGET + 50_000))
    assert "in.yaml:" in report and "refused as an alias bomb ('billion laughs')" in report


def test_the_alias_budget_is_shared_by_the_files_of_a_run(tmp_path):
    (tmp_path / "a.yaml").write_text(alias_fan(600_000))
    (tmp_path / "b.yaml").write_text(alias_fan(600_000).replace("name: c", "name: d"))
    assert read_manifests([tmp_path / "a.yaml"]) and read_manifests([tmp_path / "b.yaml"])
    with pytest.raises(InputError) as error:
        read_manifests([tmp_path])
    assert "b.yaml:" in error.value.report() and "alias bomb" in error.value.report()


def test_a_string_of_the_limit_is_read_and_one_more_character_is_refused(tmp_path):
    limit = manifest_yaml.MAX_STRING
    (manifest,) = read(tmp_path, HEAD + f"data: {{a: {'x' * limit}}}\n")
    assert len(manifest["data"]["a"]) == limit
    assert f"a string of {limit + 1} characters: at most {limit}" in refused(
        tmp_path, HEAD + f"data: {{a: {'x' * (limit + 1)}}}\n"
    )


def test_a_key_can_be_long_but_not_past_the_string_limit(tmp_path):
    report = refused(tmp_path, HEAD + f"data:\n  ? {'k' * (manifest_yaml.MAX_STRING + 1)}\n  : v\n")
    assert "in.yaml:5:5: data: a string of" in report


# --- sizes of objects and of the input ------------------------------------------------------------


def test_an_object_just_under_the_request_limit_is_read_and_one_over_is_refused(tmp_path):
    entry = "  k{:06d}: " + "v" * 1000 + "\n"  # 1012 characters per entry
    fits = (manifest_input.MAX_OBJECT - len(HEAD) - 10) // 1012
    assert read(tmp_path, HEAD + "data:\n" + "".join(entry.format(i) for i in range(fits)))
    report = refused(tmp_path, HEAD + "data:\n" + "".join(entry.format(i) for i in range(fits + 2)))
    assert "in.yaml:1:1: an object of " in report and "at most 3 MiB (3145728 bytes)" in report


def test_each_item_of_a_list_is_an_object_of_its_own_size(tmp_path):
    item = "- {apiVersion: v1, kind: ConfigMap, metadata: {name: c%d}, data: {a: " + "v" * 1_000_000 + "}}\n"
    text = "apiVersion: v1\nkind: List\nitems:\n" + "".join(item % i for i in range(4))
    assert len(read(tmp_path, text)) == 4  # 4 MB in all, 1 MB each


def test_the_input_limit_is_shared_by_the_files_of_a_run(tmp_path):
    filler = "# a comment line to fill the file\n" * (manifest_input.MAX_INPUT // 34 // 2 + 1000)
    (tmp_path / "a.yaml").write_text(HEAD + filler)
    (tmp_path / "b.yaml").write_text(HEAD.replace("name: c", "name: d") + filler)
    assert len(read_manifests([tmp_path / "b.yaml"])) == 1
    with pytest.raises(InputError) as error:
        read_manifests([tmp_path])
    assert "b.yaml: " in error.value.report() and "the files before it leave" in error.value.report()


def test_a_device_is_read_no_further_than_the_limit():
    with pytest.raises(TooLarge) as error:
        read_bytes(Path("/dev/zero"), 1000, "a hint")
    assert "/dev/zero: more than the 1000 bytes read here" in error.value.report()


# --- encodings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_utf8_and_utf16_with_a_byte_order_mark_decode(encoding):
    data = ("\ufeff" if encoding in ("utf-16-le", "utf-16-be") else "") + "a: ü\n"
    assert decode(data.encode(encoding), "f") == "a: ü\n"


def test_a_byte_that_is_no_utf8_is_located_by_line_and_character():
    with pytest.raises(InputError) as error:
        decode(b"a: 1\nb\xc3\xa9: \xff\n", "f.yaml")
    assert "f.yaml:2:5: not UTF-8 text: byte 0xff" in error.value.report()


# --- Kubernetes' limits ----------------------------------------------------------------------------


def meta(kind: str, name: str, api_version: str = "v1", **extra) -> dict:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": "shop"}, **extra}


@pytest.mark.parametrize(
    "kind, good, bad",
    [
        ("ConfigMap", "a." + "b" * 251, "a." + "b" * 252),
        ("Service", "a" * 63, "a" * 64),
        ("Service", "web-1", "1-web"),
        ("Namespace", "a" * 63, "a.b"),
        ("CronJob", "a" * 52, "a" * 53),
        ("Role", "system:view", "a/b"),
        ("Role", "Any_Case", ".."),
        ("Widget", "a.b-c", "A"),
    ],
)
def test_names_at_the_edge_of_their_rule(kind, good, bad):
    assert not [p for p in kube_limits.problems(meta(kind, good)) if p[0] == "metadata.name"]
    assert [p for p in kube_limits.problems(meta(kind, bad)) if p[0] == "metadata.name"]


def test_no_name_holds_a_control_character():
    for kind in ("ConfigMap", "Role", "Widget"):
        ((path, message),) = kube_limits.problems(meta(kind, "a\u0085b"))
        assert path == "metadata.name" and "holds a control character ('\\x85')" in message


def test_label_keys_and_values_at_their_edges():
    ok = {"a" * 63: "b" * 63, ("p." * 100)[:253].rstrip(".") + "/n": "", "x": "a-b_c.d"}
    bad = {"a" * 64: "ok", "p_x/n": "ok", "k": "b" * 64, "j": "-x", "/n": "ok"}
    template = {"template": {"metadata": {"labels": bad}}}
    manifest = {**meta("Deployment", "d", "apps/v1"), "spec": template}
    manifest["metadata"]["labels"] = ok
    assert kube_limits.problems({**manifest, "spec": {}}) == []
    paths = [path for path, _ in kube_limits.problems(manifest)]
    assert paths == [f"spec.template.metadata.labels.{key}" for key in bad]


def test_annotations_hold_256_kib_in_all():
    limit = kube_limits.MAX_ANNOTATIONS
    assert (
        kube_limits.problems(
            {**meta("ConfigMap", "c"), "metadata": {"name": "c", "annotations": {"a": "x" * (limit - 1)}}}
        )
        == []
    )
    ((path, message),) = kube_limits.problems(
        {**meta("ConfigMap", "c"), "metadata": {"name": "c", "annotations": {"a": "x" * limit}}}
    )
    assert path == "metadata.annotations" and f"{limit + 1} bytes of annotations" in message


def test_configmap_data_holds_one_mebibyte_counted_in_bytes():
    limit = kube_limits.MAX_DATA
    assert kube_limits.problems(meta("ConfigMap", "c", data={"a": "é" * (limit // 2)})) == []
    ((path, message),) = kube_limits.problems(meta("ConfigMap", "c", data={"a": "é" * (limit // 2), "b": "x"}))
    assert path == "data" and f"{limit + 1} bytes of data in all" in message
    binary = base64.b64encode(b"\0" * (limit - 10)).decode()
    ((path, message),) = kube_limits.problems(meta("ConfigMap", "c", data={"a": "x" * 11}, binaryData={"b": binary}))
    assert f"{limit + 1} bytes" in message


def test_secret_data_is_counted_decoded_and_must_be_base64():
    limit = kube_limits.MAX_DATA
    assert kube_limits.problems(meta("Secret", "s", data={"a": base64.b64encode(b"x" * limit).decode()})) == []
    over = meta("Secret", "s", data={"a": base64.b64encode(b"x" * limit).decode()}, stringData={"b": "y"})
    assert [p for p, _ in kube_limits.problems(over)] == ["data"]
    problems = kube_limits.problems(meta("Secret", "s", data={"a": "not base64!", "a b": "eA==", "b..": "eA=="}))
    assert problems == [
        ("data.a", "is not valid base64: Kubernetes decodes Secret data values as base64"),
        ("data.a b", "'a b' is not a valid key: '-', '_', '.' and alphanumerics, 253 at most"),
    ]


def test_one_identity_per_group_kind_namespace_and_name():
    a, b = meta("Deployment", "d", "apps/v1"), meta("Deployment", "d", "apps/v1beta2")
    other = meta("Deployment", "d", "extensions.example.com/v1")
    assert kube_limits.duplicates([a, other, b, a]) == [(0, 2), (0, 3)]


@pytest.mark.parametrize(
    "replicas, valid",
    [(INT32[1], True), (INT32[1] + 1, False), (INT32[0], True), (INT32[0] - 1, False), (2.0, False), (True, False)],
)
def test_int32_fields_at_their_edges_agree_in_both_validators(replicas, valid):
    deployment = {
        **meta("Deployment", "d", "apps/v1"),
        "spec": {"replicas": replicas, "selector": {}, "template": {}},
    }
    validator = kube_schema.validator_for("apps/v1", "Deployment")
    fast = kube_schema.fast_validator("apps/v1", "Deployment")
    assert fast(deployment) == validator.is_valid(deployment) == valid


@pytest.mark.parametrize("seconds, valid", [(INT64[1], True), (INT64[1] + 1, False), (INT64[0] - 1, False)])
def test_int64_fields_at_their_edges_agree_in_both_validators(seconds, valid):
    job = {**meta("Job", "j", "batch/v1"), "spec": {"template": {}, "activeDeadlineSeconds": seconds}}
    validator = kube_schema.validator_for("batch/v1", "Job")
    assert kube_schema.fast_validator("batch/v1", "Job")(job) == validator.is_valid(job) == valid


def test_an_int_or_string_holds_an_int32():
    service = {**meta("Service", "s"), "spec": {"ports": [{"port": 80, "targetPort": INT32[1] + 1}]}}
    ((problem),) = kube_schema.check_manifest(service)
    assert problem.path == "spec.ports[0].targetPort"
    assert problem.message == "2147483648 is out of range for an int32 field (-2147483648 to 2147483647)"
    service["spec"]["ports"][0]["targetPort"] = "http"
    assert kube_schema.check_manifest(service) == []


def test_only_ints_are_integers():
    assert [is_integer(v) for v in (1, -(2**80), 2.0, True, "1", None)] == [True, True, False, False, False, False]


def test_a_secrets_values_are_never_in_a_schema_message():
    secret = {**meta("Secret", "s"), "data": {"a": ["tango-4821"]}, "stringData": {"b": {"k": "quebec-77"}}}
    messages = " ".join(p.message for p in kube_schema.check_manifest(secret))
    assert "the value is not of type" in messages
    assert "tango-4821" not in messages and "quebec-77" not in messages


def test_the_text_report_escapes_what_input_put_in_it():
    check = kube_schema.check_manifest(meta("ConfigMap", "c\x1b[2K\n\u202ePASS"))
    from pipeline.verdict import StageCheck

    report = text_report.render([StageCheck("prod", 1, (), tuple(check), ())])
    assert "\x1b" not in report and "\u202e" not in report
    assert len(report.splitlines()) == 2 and "c\\x1b[2K\\n\\u202ePASS" in report


# --- JSON parts ------------------------------------------------------------------------------------


def test_json_nested_to_the_limit_is_read_and_one_more_is_refused(tmp_path):
    path = tmp_path / "part.json"
    path.write_text("[" * 100 + "]" * 100)
    assert read_json(path, "a hint") == json.loads("[" * 100 + "]" * 100)
    path.write_text('{"a": "[[[[",\n "b": ' + "[" * 100 + "]" * 100 + "}")
    with pytest.raises(InputError) as error:
        read_json(path, "a hint")
    assert error.value.report() == f"{path}: nested deeper than 100 levels at line 2, column 106\n    hint: a hint"


def test_json_too_deep_for_the_parser_is_refused_the_same_way(tmp_path):
    path = tmp_path / "part.json"
    path.write_text("[" * 200_000)
    with pytest.raises(InputError) as error:
        read_json(path, "a hint")
    assert f"{path}: nested deeper than 100 levels at line 1, column 101" in error.value.report()
