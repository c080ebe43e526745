"""`pipeline diff` of YAML this repository did not write: two versions of a folder of third-party manifests.

tests/pipeline/diff/foreign/v1 and v2 are written after the shapes of public charts (cert-manager's
CRDs and a ClusterIssuer, ingress-nginx's RBAC, controller and PodSecurityPolicy, Grafana's claim,
secret and dashboards as kube-prometheus ships them), with a minimal kustomization.yaml and Helm
values beside them. Between v1 and v2 the chart stops writing a namespace on cluster-scoped
objects (the API server ignores it there): that must be an update or nothing, never a delete and a
create. The command line runs in this process (pipeline.cli.main); a failed assert shows its output.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import yaml

from pipeline.diff.model import RolloutClass
from tests.pipeline.diff import diff as engine_diff
from tests.pipeline.diff.cli import V1, V2, change, classes, diff, field, only_stage, report

# Every resource that changes from v1 to v2, and how; in the diff's order (group, kind, namespace, name).
EXPECTED = [
    ("update", "ConfigMap monitoring/grafana-dashboard-nodes"),
    ("update", "Namespace ingress-nginx"),
    ("replace", "PersistentVolumeClaim monitoring/grafana"),
    ("update", "Secret monitoring/grafana-admin"),
    ("create", "ValidatingWebhookConfiguration ingress-nginx-admission"),
    ("update", "CustomResourceDefinition certificates.cert-manager.io"),
    ("restart", "Deployment ingress-nginx/ingress-nginx-controller"),
    ("update", "Certificate web/www"),
    ("update", "ClusterIssuer letsencrypt-prod"),
    ("delete", "PodSecurityPolicy ingress-nginx"),
    ("update", "ClusterRole ingress-nginx"),
]
# Unchanged: the ClusterIssuer CRD, and what only lost its ignored namespace (the ClusterRoleBinding)
# or did not change at all (Role, ServiceAccount, PodDisruptionBudget).
UNCHANGED = 5
SCHEMA = "spec.versions[v1].schema.openAPIV3Schema"


# the two versions of the folder -------------------------------------------------------------------


def test_two_versions_of_a_folder_give_the_expected_class_per_resource(capsys):
    stage = only_stage(report(capsys, V1, V2))
    assert stage["stage"] == ""  # two folders of plain YAML: one set each, no stage taken from a name
    assert classes(stage) == EXPECTED
    assert stage["unchanged"] == UNCHANGED
    assert stage["counts"] == {"create": 1, "update": 7, "restart": 1, "replace": 1, "delete": 1}


def test_a_cluster_scoped_object_losing_its_ignored_namespace_is_no_delete(capsys):
    stage = only_stage(report(capsys, V1, V2))
    titles = [c["resource"] for c in stage["changes"]]
    # v1 writes these with `namespace: ingress-nginx` / `cert-manager`, v2 without.
    assert "ClusterRoleBinding ingress-nginx" not in titles  # only the namespace went: no change at all
    role = change(stage, "ClusterRole ingress-nginx")
    assert (role["rollout"], role["namespace"]) == ("update", "")
    assert [f["path"] for f in role["changes"]] == [
        "metadata.labels['app.kubernetes.io/version']",
        "metadata.labels['helm.sh/chart']",
        "rules[2]",
    ]
    issuer = change(stage, "ClusterIssuer letsencrypt-prod")  # cluster-scoped by its CRD in the same input
    assert (issuer["rollout"], issuer["namespace"]) == ("update", "")
    assert issuer["changes"] == [
        {"path": "spec.acme.email", "old": "ops@example.com", "new": "platform-ops@example.com"}
    ]
    assert not [c for c in stage["changes"] if c["rollout"] == "delete" and c["kind"] != "PodSecurityPolicy"]


def test_risks_and_redaction_hold_for_foreign_manifests(capsys):
    stage = only_stage(report(capsys, V1, V2))
    controller = change(stage, "Deployment ingress-nginx/ingress-nginx-controller")
    assert controller["reasons"] == ["the pod template changed"]
    assert controller["risks"] == [
        {
            "risk": "securityContext relaxed",
            "path": "spec.template.spec.containers[controller].securityContext.allowPrivilegeEscalation",
            "detail": "false -> true",
        }
    ]
    image = field(
        stage, "Deployment ingress-nginx/ingress-nginx-controller", "spec.template.spec.containers[controller].image"
    )
    assert (image["old"], image["new"]) == ("v1.10.0@sha256:42b3f0e5d084", "v1.10.1@sha256:e24f39d3eed6")
    claim = change(stage, "PersistentVolumeClaim monitoring/grafana")
    assert claim["reasons"] == ["spec.storageClassName is immutable"]
    secret = change(stage, "Secret monitoring/grafana-admin")
    assert secret["changes"] == [{"path": "data.admin-password", "old": "(redacted)", "new": "(redacted)"}]
    assert "bmV3LXBhc3N3b3Jk" not in json.dumps(stage) and "cHJvbS1vcGVyYXRvcg==" not in json.dumps(stage)


def test_files_that_hold_no_kubernetes_object_are_skipped_and_named(capsys):
    result = diff(capsys, V1, V2)
    assert result.code == 0, result
    assert result.err == (
        f"pipeline diff: skipped 2 files of {V1} holding no Kubernetes object: "
        f"{V1 / 'kustomization.yaml'}, {V1 / 'values.yaml'}\n"
        f"pipeline diff: skipped 2 files of {V2} holding no Kubernetes object: "
        f"{V2 / 'kustomization.yaml'}, {V2 / 'values.yaml'}\n"
    )


def test_the_text_diff_reads_in_resource_terms(capsys):
    result = diff(capsys, V1, V2)
    lines = result.out.splitlines()
    assert lines[:3] == [f"{V1} -> {V2}", "", "== 1 create, 7 update, 1 restart, 1 replace, 1 delete, 5 unchanged"]
    assert "  REPLACE  PersistentVolumeClaim monitoring/grafana  (spec.storageClassName is immutable)" in lines
    assert "  DELETE   PodSecurityPolicy ingress-nginx" in lines
    assert "      ClusterIssuer letsencrypt-prod  spec.acme.email  ops@example.com -> platform-ops@example.com" in lines
    assert "namespace" not in "\n".join(line for line in lines if "ClusterRole" in line)


# --summary ----------------------------------------------------------------------------------------


def test_summary_as_text_is_counts_per_kind_then_one_line_per_resource(capsys):
    result = diff(capsys, V1, V2, "--summary")
    assert result.code == 0, result
    assert result.out == (
        f"{V1} -> {V2}\n"
        "\n"
        "== 1 create, 7 update, 1 restart, 1 replace, 1 delete, 5 unchanged\n"
        "  Certificate:                    1 update\n"
        "  ClusterIssuer:                  1 update\n"
        "  ClusterRole:                    1 update\n"
        "  ConfigMap:                      1 update\n"
        "  CustomResourceDefinition:       1 update\n"
        "  Deployment:                     1 restart\n"
        "  Namespace:                      1 update\n"
        "  PersistentVolumeClaim:          1 replace\n"
        "  PodSecurityPolicy:              1 delete\n"
        "  Secret:                         1 update\n"
        "  ValidatingWebhookConfiguration: 1 create\n"
        "  update   ConfigMap monitoring/grafana-dashboard-nodes\n"
        "  update   Namespace ingress-nginx\n"
        "  REPLACE  PersistentVolumeClaim monitoring/grafana\n"
        "  update   Secret monitoring/grafana-admin\n"
        "  create   ValidatingWebhookConfiguration ingress-nginx-admission\n"
        "  update   CustomResourceDefinition certificates.cert-manager.io\n"
        "  restart  Deployment ingress-nginx/ingress-nginx-controller\n"
        "  update   Certificate web/www\n"
        "  update   ClusterIssuer letsencrypt-prod\n"
        "  DELETE   PodSecurityPolicy ingress-nginx\n"
        "  update   ClusterRole ingress-nginx\n"
    )


def test_summary_as_json(capsys):
    data = report(capsys, V1, V2, "--summary")
    assert set(data) == {"base", "head", "tenant_filter", "stages"}
    stage = only_stage(data)
    assert set(stage) == {"stage", "counts", "unchanged", "kinds", "changes"}
    assert (stage["counts"], stage["unchanged"]) == (
        {"create": 1, "update": 7, "restart": 1, "replace": 1, "delete": 1},
        UNCHANGED,
    )
    zero = {"create": 0, "update": 0, "restart": 0, "replace": 0, "delete": 0}
    assert stage["kinds"]["ConfigMap"] == {**zero, "update": 1}
    assert stage["kinds"]["PodSecurityPolicy"] == {**zero, "delete": 1}
    assert sorted(stage["kinds"]) == sorted({title.split()[0] for _, title in EXPECTED})
    assert classes(stage) == EXPECTED
    assert stage["changes"][-1] == {
        "rollout": "update",
        "resource": "ClusterRole ingress-nginx",
        "group": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "namespace": "",
        "name": "ingress-nginx",
    }


def test_summary_as_markdown(capsys):
    result = diff(capsys, V1, V2, "--summary", "--format", "markdown")
    lines = result.out.splitlines()
    assert lines[0] == f"## Diff summary: `{V1}` → `{V2}`"
    assert "### 1 replace, 1 delete, 1 restart, 7 update, 1 create (5 unchanged)" in lines
    assert "| kind | replace | delete | restart | update | create |" in lines
    assert "| PersistentVolumeClaim | 1 | 0 | 0 | 0 | 0 |" in lines
    assert "| ValidatingWebhookConfiguration | 0 | 0 | 0 | 0 | 1 |" in lines
    assert "- delete `PodSecurityPolicy ingress-nginx`" in lines
    assert [line for line in lines if line.startswith("- ")] == [f"- {r} `{t}`" for r, t in EXPECTED]
    assert "openAPIV3Schema" not in result.out and "ops@example.com" not in result.out  # nothing else


# long values --------------------------------------------------------------------------------------


def schema_block(path: Path) -> list[str]:
    """The lines of the CRD file's openAPIV3Schema, as written."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "openAPIV3Schema:")
    end = next(i for i, line in enumerate(lines) if line.strip() == "served: true")
    return lines[start + 1 : end]


def test_a_crd_schema_is_summarised_with_its_line_counts(capsys):
    stage = only_stage(report(capsys, V1, V2))
    crd = change(stage, "CustomResourceDefinition certificates.cert-manager.io")
    # The files' own lines: 135 and 139, one description reworded and a four-line property added.
    assert (len(schema_block(V1 / "crd-certificates.yaml")), len(schema_block(V2 / "crd-certificates.yaml"))) == (
        135,
        139,
    )
    assert crd["changes"][-1] == {
        "path": SCHEMA,
        "old": "135 lines",
        "new": "139 lines",
        "note": "changed, 135 -> 139 lines (+5 -1)",
        "long": {"old_lines": 135, "new_lines": 139, "added": 5, "removed": 1},
    }
    assert len(crd["changes"]) == 2  # the version label, and the schema as one field
    text = diff(capsys, V1, V2).out
    assert (
        f"      CustomResourceDefinition certificates.cert-manager.io  {SCHEMA}  changed, 135 -> 139 lines (+5 -1)"
        in text.splitlines()
    )


def test_embedded_dashboards_are_summarised_with_their_line_counts(capsys):
    stage = only_stage(report(capsys, V1, V2))
    nodes = field(stage, "ConfigMap monitoring/grafana-dashboard-nodes", "data['nodes.json']")
    assert nodes["note"] == "changed, 106 -> 128 lines (+24 -2)" and "lines" not in nodes
    one_line = field(stage, "ConfigMap monitoring/grafana-dashboard-nodes", "data['apiserver.json']")
    assert one_line["note"] == "changed, 1 -> 1 lines (+1 -1)"  # minified: one line of nearly 4,000 characters
    text = diff(capsys, V1, V2).out
    assert max(map(len, text.splitlines())) <= 200
    assert '"Disk I/O"' not in text and "apiserver_request_total" not in text


def test_full_shows_long_values_whole(capsys):
    stage = only_stage(report(capsys, V1, V2, "--full"))
    assert classes(stage) == EXPECTED  # --full changes what is shown, not what changes
    paths = [f["path"] for f in change(stage, "CustomResourceDefinition certificates.cert-manager.io")["changes"]]
    assert f"{SCHEMA}.properties.spec.properties.revisionHistoryLimit" in paths
    assert f"{SCHEMA}.properties.spec.properties.privateKey.properties.rotationPolicy.description" in paths
    assert SCHEMA not in paths
    nodes = field(stage, "ConfigMap monitoring/grafana-dashboard-nodes", "data['nodes.json']")
    assert "long" not in nodes and '+      "title": "Disk I/O",' in nodes["lines"]
    one_line = field(stage, "ConfigMap monitoring/grafana-dashboard-nodes", "data['apiserver.json']")
    assert len(one_line["old"]) > 3000 and json.loads(one_line["new"])["refresh"] == "10s"
    assert max(map(len, diff(capsys, V1, V2, "--full").out.splitlines())) > 3000


def test_markdown_of_plain_yaml_names_no_stage(capsys):
    result = diff(capsys, V1, V2, "--format", "markdown")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert "| — | — | 1 | 7 | 1 | 1 | 1 | 1 | 0 |  |" in lines
    assert "```mermaid" not in lines  # no stages to draw
    assert "<summary>11 changed resources</summary>" in lines
    assert f"  | `{SCHEMA}` | 135 lines | changed, 135 -&gt; 139 lines (+5 -1) |" in lines


def test_a_crd_changing_its_scope_is_a_replacement():
    old = yaml.safe_load((V1 / "crd-clusterissuers.yaml").read_text())
    new = copy.deepcopy(old)
    new["spec"]["scope"] = "Namespaced"
    result = engine_diff(old, new).changes[0]
    assert (result.rollout, result.reasons) == (RolloutClass.REPLACE, ("spec.scope is immutable",))
    new = copy.deepcopy(old)
    new["spec"]["versions"][0]["served"] = False  # anything else is patched in place
    assert engine_diff(old, new).changes[0].rollout is RolloutClass.UPDATE
