"""Reading manifest folders as they come (pipeline.manifest_input.read_input, read_manifests).

Every readable object is read, each unreadable file or document is one problem at its own line
and column (the others are read all the same), and documents that are no Kubernetes objects
(a kustomization, Helm values, a chart's Chart.yaml) are skipped with a reason. read_manifests
stays all-or-nothing for real problems only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from model.errors import InputError, Location
from pipeline import manifest_input
from pipeline.manifest_input import read_input, read_manifests
from pipeline.yaml_output import load_documents

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
"""


def cm(name: str, extra: str = "") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: shop}}\n{extra}"


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def names(read) -> list[tuple[str, int, str]]:
    return [(Path(m.location.file).name, m.location.line, m.manifest["metadata"]["name"]) for m in read.manifests]


def problems(read) -> list[tuple[str, int, int, str]]:
    return [(Path(p.location.file).name, p.location.line, p.location.column, p.message) for p in read.problems]


MIXED = {
    "deploy.yaml": DEPLOYMENT,
    "kustomization.yaml": "resources:\n- deploy.yaml\n",
    "values.yaml": "replicaCount: 2\nimage:\n  repository: nginx\n  tag: '1.27'\n",
    "broken.yaml": cm("a") + "---\n" + cm("b").replace("{name: b,", "{name: [b,") + "---\n" + cm("c"),
    "odd.yaml": "- just\n- a list\n---\n" + cm("d"),
    "svc.json": json.dumps(
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}},
        indent=2,
    ),
}


def test_a_mixed_folder_gives_every_object_every_problem_and_every_skipped_file(tmp_path):
    read = read_input([write(tmp_path, MIXED)])
    assert names(read) == [
        ("broken.yaml", 1, "a"),
        ("broken.yaml", 9, "c"),  # after the broken document
        ("deploy.yaml", 1, "web"),
        ("odd.yaml", 4, "d"),
        ("svc.json", 1, "s"),
    ]
    assert problems(read) == [
        ("broken.yaml", 7, 37, "YAML syntax error: did not find expected ',' or ']'"),
        ("odd.yaml", 1, 1, "expected a Kubernetes object (a mapping), got list"),
    ]
    assert [(Path(s.file).name, s.line, s.reason) for s in read.skipped] == [
        ("kustomization.yaml", 1, "a kustomization (kustomize's build file), not a Kubernetes object"),
        (
            "values.yaml",
            1,
            "no apiVersion and no kind: not a Kubernetes object (configuration, Helm values or the like)",
        ),
    ]
    assert str(read.skipped[0]) == f"{tmp_path}/kustomization.yaml:1: skipped: " + read.skipped[0].reason
    assert [Path(f).name for f in read.files] == sorted(MIXED)


def test_read_manifests_raises_for_problems_only(tmp_path):
    fine = {k: v for k, v in MIXED.items() if k not in ("broken.yaml", "odd.yaml")}
    sourced = read_manifests([write(tmp_path / "fine", fine)])
    assert [s.manifest["kind"] for s in sourced] == ["Deployment", "Service"]
    with pytest.raises(InputError) as error:
        read_manifests([write(tmp_path / "all", MIXED)])
    assert [(Path(p.location.file).name, p.location.line) for p in error.value.problems] == [
        ("broken.yaml", 7),
        ("odd.yaml", 1),
    ]


def test_an_input_of_skipped_files_only_is_empty_and_read_manifests_says_what_was_skipped(tmp_path):
    folder = write(tmp_path, {"kustomization.yaml": "resources: []\n", "values.yaml": "a: 1\n"})
    read = read_input([folder])
    assert (read.manifests, read.problems, len(read.skipped)) == ((), (), 2)
    with pytest.raises(InputError) as error:
        read_manifests([folder])
    (problem,) = error.value.problems
    assert problem.message == (
        f"no Kubernetes manifests in {folder}, skipped: {folder}/kustomization.yaml (a kustomization "
        f"(kustomize's build file), not a Kubernetes object); {folder}/values.yaml (no apiVersion and no kind: "
        "not a Kubernetes object (configuration, Helm values or the like))"
    )


@pytest.mark.parametrize(
    "name, text, reason",
    [
        (
            "k.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n",
            "a kustomize Kustomization (kustomize.config.k8s.io/v1beta1), not a Kubernetes object",
        ),
        (
            "c.yaml",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
            "a kustomize Component (kustomize.config.k8s.io/v1alpha1), not a Kubernetes object",
        ),
        ("k2.yaml", "kind: Kustomization\nresources: [a.yaml]\n", "a kustomization (kustomize's build file), not a"),
        ("Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n", "a Helm chart's Chart.yaml, not a Kubernetes"),
        ("config.json", '{"logLevel": "debug", "port": 8080}', "no apiVersion and no kind: not a Kubernetes object"),
    ],
    ids=["kustomization", "component", "kustomization-without-api-version", "chart", "app-config"],
)
def test_files_that_are_no_objects_are_skipped_with_a_reason(tmp_path, name, text, reason):
    read = read_input([write(tmp_path, {name: text, "cm.yaml": cm("c")})])
    assert (len(read.manifests), read.problems) == (1, ())
    (skipped,) = read.skipped
    assert (Path(skipped.file).name, skipped.line) == (name, 1) and skipped.reason.startswith(reason)


def test_a_kind_without_an_api_version_is_a_problem_and_the_next_document_is_read(tmp_path):
    text = cm("a") + "---\nkind: Secret\nmetadata: {name: s}\n---\n" + cm("b")
    read = read_input([write(tmp_path, {"in.yaml": text})])
    assert names(read) == [("in.yaml", 1, "a"), ("in.yaml", 8, "b")]
    assert [(p.location.line, p.key_path, p.message) for p in read.problems] == [
        (5, "apiVersion", "missing apiVersion")
    ]


def test_a_bad_name_is_a_problem_at_its_field(tmp_path):
    read = read_input([write(tmp_path, {"in.yaml": cm("a").replace("name: a", "name: [a]") + "---\n" + cm("b")})])
    assert names(read) == [("in.yaml", 5, "b")]
    assert problems(read) == [("in.yaml", 3, 12, "must be a string, not a list")]


def test_a_syntax_error_in_the_third_document_keeps_the_others_and_the_rest_of_the_file(tmp_path):
    docs = [cm("a"), cm("b"), cm("c", "data: {k: 'v}\n"), cm("d"), "# a comment\n" + cm("e")]
    read = read_input([write(tmp_path, {"in.yaml": "---\n".join(docs)})])
    assert names(read) == [("in.yaml", 1, "a"), ("in.yaml", 5, "b"), ("in.yaml", 14, "d"), ("in.yaml", 19, "e")]
    ((_, line, _, message),) = problems(read)
    assert line in (12, 13) and message.startswith("YAML syntax error")  # the broken document's own lines


def test_an_unclosed_flow_swallowing_later_documents_ends_at_the_next_separator(tmp_path):
    text = cm("a") + "---\n" + cm("b", "data: {k: [v\n") + "---   # next\n" + cm("c")
    read = read_input([write(tmp_path, {"in.yaml": text})])
    assert names(read) == [("in.yaml", 1, "a"), ("in.yaml", 10, "c")]
    assert problems(read) == [("in.yaml", 9, 1, "YAML syntax error: did not find expected ',' or ']'")]


def test_crlf_files_are_read_and_resumed_at_their_separators(tmp_path):
    text = (cm("a") + "---\n" + cm("b", "data: {k: [\n") + "---\n" + cm("c")).replace("\n", "\r\n")
    path = tmp_path / "in.yaml"
    path.write_bytes(text.encode())
    read = read_input([path])
    assert names(read) == [("in.yaml", 1, "a"), ("in.yaml", 10, "c")]
    assert len(read.problems) == 1


def test_a_character_yaml_refuses_is_located_by_character_not_byte(tmp_path):
    path = tmp_path / "in.yaml"
    path.write_bytes((cm("a") + "---\n" + cm("b", 'data: {k: "ééé\x00"}\n') + "---\n" + cm("c")).encode())
    read = read_input([path])
    assert names(read) == [("in.yaml", 1, "a"), ("in.yaml", 10, "c")]
    assert problems(read) == [
        ("in.yaml", 8, 15, "a character YAML does not allow: '\\x00' (control characters are not allowed)")
    ]


def test_an_unreadable_file_or_a_missing_path_does_not_hide_the_others(tmp_path):
    write(tmp_path, {"a.yaml": cm("a"), "b.yaml": cm("b")})
    (tmp_path / "latin.yaml").write_bytes(cm("x").encode() + b"data: {k: \xe9}\n")
    read = read_input([tmp_path, tmp_path / "nope.yaml"])
    assert [m.manifest["metadata"]["name"] for m in read.manifests] == ["a", "b"]
    assert [p.message for p in read.problems][0] == f"{tmp_path}/nope.yaml: no such file or folder"
    assert "not UTF-8 text" in read.problems[1].message and read.problems[1].location.line == 4


def test_an_alias_bomb_stops_its_file_only(tmp_path):
    lines = ['  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"  {c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    bomb = cm("a") + "---\n" + cm("bomb", "data:\n" + "\n".join(lines) + "\n") + "---\n" + cm("after")
    read = read_input([write(tmp_path, {"a.yaml": bomb, "b.yaml": cm("b", "data: {k: v}\n")})])
    assert names(read) == [("a.yaml", 1, "a"), ("b.yaml", 1, "b")]
    (problem,) = read.problems
    assert "refused as an alias bomb" in problem.message and Path(problem.location.file).name == "a.yaml"


def test_the_input_limit_still_stops_the_run(tmp_path, monkeypatch):
    monkeypatch.setattr(manifest_input, "MAX_INPUT", 200)
    write(tmp_path, {"a.yaml": cm("a"), "b.yaml": cm("b", "data: {k: " + "v" * 200 + "}\n")})
    with pytest.raises(InputError) as error:
        read_input([tmp_path])
    assert "b.yaml: " in error.value.report() and "the files before it leave" in error.value.report()


def test_many_problems_stop_the_file_after_fifty(tmp_path):
    text = "".join(f"---\n{cm('c')}data: {{a: x, a: y}}\n" for _ in range(60)) + "---\n" + cm("last")
    read = read_input([write(tmp_path, {"in.yaml": text, "z.yaml": cm("z")})])
    assert [m.manifest["metadata"]["name"] for m in read.manifests] == ["z"]
    assert len(read.problems) == 51 and read.problems[-1].message == "50 problems: stopped reading the file here"


def test_empty_files_and_documents_hold_nothing(tmp_path):
    read = read_input([write(tmp_path, {"empty.yaml": "", "docs.yaml": "---\n---\n# only a comment\n"})])
    assert (read.manifests, read.problems, read.skipped) == ((), (), ())


def test_list_items_are_objects_located_at_their_item(tmp_path):
    items = "".join("- " + cm(name).rstrip("\n").replace("\n", "\n  ") + "\n" for name in "ab")
    text = "apiVersion: v1\nkind: List\nitems:\n" + items
    read = read_input([write(tmp_path, {"list.yaml": text})])
    assert [(m.location.line, m.location.column) for m in read.manifests] == [(4, 3), (7, 3)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a: =\n", [{"a": "="}]),
        ("- =\n- x\n", [["=", "x"]]),
        ("=\n", ["="]),
        ("=: 1\nb: {c: =}\n", [{"=": 1, "b": {"c": "="}}]),
    ],
    ids=["value", "item", "document", "key-and-flow"],
)
def test_a_bare_equals_sign_is_the_string_on_every_reading_path(tmp_path, text, expected):
    assert load_documents(text) == expected
    (manifest,) = read_manifests([write(tmp_path, {"in.yaml": cm("c", "data:\n" + _indent(text))})])
    assert manifest.manifest["data"] == expected[0]


def _indent(text: str) -> str:
    return "".join(f"  {line}\n" for line in text.splitlines())


def test_a_sourced_manifest_without_records_is_located_at_its_start():
    sourced = manifest_input.SourcedManifest({"kind": "ConfigMap"}, Location("f.yaml", 3, 1))
    assert sourced.field_location("data.a") == Location("f.yaml", 3, 1)
