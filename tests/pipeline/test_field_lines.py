"""Where each field of a manifest was written (SourcedManifest.field_location, pipeline.field_lines).

Paths as rules and the schema check write them: list items by name, by `type` or by index, keys
with dots (in brackets, quoted or not, or dotted as the schema check writes them), absent fields
at their nearest ancestor, List items, documents after others and after a broken one, aliases
and merge keys, JSON on one line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from model.errors import Location
from pipeline.field_lines import ALIAS, parse_path
from pipeline.manifest_input import read_input

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app.kubernetes.io/name: web
  annotations:
    container.apparmor.security.beta.kubernetes.io/web: runtime/default
spec:
  replicas: 2
  template:
    metadata:
      labels: &labels
        app: web
    spec:
      containers:
      - name: sidecar
        image: busybox
      - name: web
        image: nginx
        securityContext:
          privileged: true
      - &third
        image: nginx
        ports:
        - containerPort: 80
      initContainers:
      - <<: *third
        name: init
      volumes: [{name: data, emptyDir: {}}, {name: cache, hostPath: {path: /var}}]
  selector:
    matchLabels: *labels
"""


def read(tmp_path: Path, text: str, name: str = "in.yaml"):
    (tmp_path / name).write_text(text)
    result = read_input([tmp_path / name])
    assert result.problems == (), result.problems
    return result.manifests


def at(sourced, path: str) -> tuple[int, int]:
    where = sourced.field_location(path)
    assert where.file == sourced.location.file
    return where.line, where.column


@pytest.mark.parametrize(
    "path, line, column",
    [
        ("spec.template.spec.containers[web].securityContext.privileged", 23, 11),
        ("spec.template.spec.containers[1].securityContext.privileged", 23, 11),  # by index, as the schema check
        ("spec.template.spec.containers[web].image", 21, 9),
        ("spec.template.spec.containers[web]", 20, 9),
        ("spec.template.spec.containers[2].ports[0].containerPort", 27, 11),
        ("spec.replicas", 11, 3),
        ("spec.template.spec.volumes[cache].hostPath.path", 31, 70),  # flow style: the key's own column
        ("spec.template.spec.volumes[1].hostPath", 31, 59),
        ("metadata.annotations[container.apparmor.security.beta.kubernetes.io/web]", 9, 5),
        ("metadata.annotations['container.apparmor.security.beta.kubernetes.io/web']", 9, 5),
        ("metadata.labels.app.kubernetes.io/name", 7, 5),  # dotted, as the schema check writes a label key
        ("metadata.labels[app.kubernetes.io/name]", 7, 5),
        ("", 1, 1),
    ],
)
def test_fields_are_located_at_their_key(tmp_path, path, line, column):
    (deployment,) = read(tmp_path, DEPLOYMENT)
    assert at(deployment, path) == (line, column)


@pytest.mark.parametrize(
    "path, line, column",
    [
        ("spec.template.spec.containers[sidecar].securityContext.runAsNonRoot", 18, 9),  # the container
        ("spec.template.spec.containers[web].securityContext.runAsNonRoot", 22, 9),  # its securityContext
        ("spec.template.spec.containers[nope].image", 17, 7),  # no such container: the list
        ("spec.template.spec.containers[7]", 17, 7),
        ("spec.template.spec.hostNetwork", 16, 5),
        ("metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]", 8, 3),
        ("spec.template.spec.containers[?].image", 17, 7),
        ("spec.replicas.nested", 11, 3),  # below a scalar: the scalar
    ],
)
def test_an_absent_field_is_located_at_its_nearest_ancestor(tmp_path, path, line, column):
    (deployment,) = read(tmp_path, DEPLOYMENT)
    assert at(deployment, path) == (line, column)


def test_aliases_point_at_the_anchor_and_merged_keys_at_the_merge(tmp_path):
    (deployment,) = read(tmp_path, DEPLOYMENT)
    assert at(deployment, "spec.selector.matchLabels.app") == (15, 9)  # written under the anchor &labels
    assert at(deployment, "spec.selector.matchLabels") == (33, 5)
    assert at(deployment, "spec.template.spec.initContainers[init].image") == (29, 9)  # the << line
    assert at(deployment, "spec.template.spec.initContainers[init].ports[0]") == (29, 9)
    assert at(deployment, "spec.template.spec.initContainers[init].name") == (30, 9)


def test_each_document_of_a_stream_has_its_own_lines(tmp_path):
    quota = "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n  hard:\n    cpu: '4'\n"
    quota += "    requests.memory: 4Gi\n"
    first, second = read(tmp_path, DEPLOYMENT + "---\n" + quota)
    assert at(first, "spec.replicas") == (11, 3)
    assert second.location == Location(str(tmp_path / "in.yaml"), 35, 1)
    assert at(second, "spec.hard.cpu") == (40, 5)
    assert at(second, "spec.hard.requests.memory") == (41, 5)  # a key with a dot, written dotted
    assert at(second, "spec.hard.limits.memory") == (39, 3)


def test_documents_after_a_broken_one_have_the_files_lines(tmp_path):
    broken = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [b}\n"
    (tmp_path / "in.yaml").write_text(broken + "---\n" + broken + "---\n" + DEPLOYMENT)
    read = read_input([tmp_path / "in.yaml"])
    assert [p.location.line for p in read.problems] == [3, 7]
    (deployment,) = read.manifests
    assert deployment.location.line == 9
    assert at(deployment, "spec.template.spec.containers[web].securityContext.privileged") == (31, 11)


def test_items_of_a_list_are_located_in_their_item(tmp_path):
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: v1\n  kind: LimitRange\n  metadata: {name: l}\n"
        "  spec:\n    limits:\n    - type: Pod\n      max: {cpu: '2'}\n    - type: Container\n      max: {cpu: '1'}\n"
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n  data:\n    a: x\n"
    )
    limits, config = read(tmp_path, text)
    assert at(limits, "spec.limits[Container].max.cpu") == (12, 13)  # an item named by its type
    assert at(limits, "spec.limits[0].max") == (10, 7)
    assert at(config, "data.a") == (17, 5)
    assert at(config, "metadata.name") == (15, 14)
    assert at(config, "spec") == (13, 3)  # absent: the item itself


def test_json_on_one_line_is_located_by_column(tmp_path):
    text = '{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"name":"http","port":80}]}}'
    (service,) = read(tmp_path, text, "svc.json")
    assert at(service, "spec.ports[http].port") == (1, text.index('"port":80') + 1)
    assert at(service, "spec.ports[0].name") == (1, text.index('"name":"http"') + 1)


def test_pretty_json_is_located_by_line(tmp_path):
    text = '{\n  "apiVersion": "v1",\n  "kind": "ConfigMap",\n  "metadata": {\n    "name": "c"\n  },\n'
    text += '  "data": {\n    "a": "=",\n    "b": "x"\n  }\n}\n'
    (config,) = read(tmp_path, text, "cm.json")
    assert at(config, "data.b") == (9, 5) and config.manifest["data"]["a"] == "="


def test_a_bare_equals_sign_is_located_like_any_value(tmp_path):
    (config,) = read(tmp_path, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: =\n  b: x\n")
    assert config.manifest["data"] == {"a": "=", "b": "x"}
    assert at(config, "data.b") == (6, 3)


def test_data_changed_after_reading_is_located_at_best_never_raising(tmp_path):
    (deployment,) = read(tmp_path, DEPLOYMENT)
    deployment.manifest["spec"]["template"]["spec"]["containers"].insert(0, {"name": "new", "a": {"b": {}}})
    deployment.manifest["metadata"]["extra"] = {"x": [1, 2, 3]}
    where = deployment.field_location("spec.template.spec.containers[web].securityContext.privileged")
    assert where.line >= 1  # some line of the object, no error


def test_one_record_per_field_eight_bytes_each(tmp_path):
    (config,) = read(tmp_path, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: x, b: [1, 2]}\n")
    # the object, apiVersion, kind, metadata, name, data, a, b, and b's two items
    assert len(config.lines.records) == 10 and config.lines.records.itemsize == 8
    assert not any(record & ALIAS for record in config.lines.records)


@pytest.mark.parametrize(
    "path, steps",
    [
        ("spec.template.spec", ((False, "spec"), (False, "template"), (False, "spec"))),
        ("containers[web].image", ((False, "containers"), (True, "web"), (False, "image"))),
        ("ports[0][1]", ((False, "ports"), (True, "0"), (True, "1"))),
        ("annotations['a.b/c']", ((False, "annotations"), (True, "a.b/c"))),
        ('annotations["a]b"]', ((False, "annotations"), (True, "a]b"))),
        ("annotations[a.b/c].x", ((False, "annotations"), (True, "a.b/c"), (False, "x"))),
        ("a[unclosed", ((False, "a"), (True, "unclosed"))),
        ("", ()),
    ],
)
def test_paths_parse_into_steps(path, steps):
    assert parse_path(path) == steps
