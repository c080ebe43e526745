"""--schema-dir: catalog schemas (<group>/<kind>_<version>.json) and CRD files validate custom
resources; a bad file is an InputError naming the file and line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from model.errors import InputError
from pipeline.crd_schemas_input import SchemaSet
from pipeline.kube_schema import check_manifests

FIXTURES = Path(__file__).parent / "crd_fixtures"
ROUTE = {
    "apiVersion": "networking.istio.io/v1",
    "kind": "VirtualService",
    "metadata": {"name": "reviews", "namespace": "shop"},
    "spec": {
        "hosts": ["reviews"],
        "http": [{"route": [{"destination": {"host": "reviews", "port": {"number": 9080}}, "weight": 100}]}],
    },
}
CERTIFICATE = {
    "apiVersion": "cert-manager.io/v1",
    "kind": "Certificate",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {"secretName": "web-tls", "issuerRef": {"name": "ca"}},
}


def check(objects: list[dict], *folders: Path) -> list[tuple[str, str, str]]:
    schemas = SchemaSet.from_manifests(objects, folders)
    return [(p.resource, p.path, p.message) for p in check_manifests(objects, schemas)]


def refused(objects: list[dict], *folders: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        SchemaSet.from_manifests(objects, folders)
    return [str(p) for p in caught.value.problems]


def test_a_catalog_schema_validates_its_kind():
    broken = json.loads(json.dumps(ROUTE))
    broken["spec"]["http"][0]["route"][0]["destination"] = {"port": {"number": "9080"}, "weight": 1}
    assert check([ROUTE], FIXTURES / "catalog") == []
    assert check([broken], FIXTURES / "catalog") == [
        ("VirtualService shop/reviews", "spec.http[0].route[0].destination", "'host' is a required property"),
        ("VirtualService shop/reviews", "spec.http[0].route[0].destination", "unknown field ('weight' was unexpected)"),
        (
            "VirtualService shop/reviews",
            "spec.http[0].route[0].destination.port.number",
            "'9080' is not of type 'integer'",
        ),
    ]


def test_crd_files_anywhere_below_the_folder_validate_their_kinds(tmp_path):
    nested = tmp_path / "charts" / "cert-manager" / "crds"
    nested.mkdir(parents=True)
    crd = (FIXTURES / "crds" / "certificates.cert-manager.io.yaml").read_text()
    other = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "not-a-crd"}}
    (nested / "all.yaml").write_text(yaml.safe_dump(other) + "---\n" + crd)
    (tmp_path / "values.yaml").write_text("replicaCount: 2\n")
    wrong = {**CERTIFICATE, "spec": {"secretName": 1, "issuerRef": {"name": "ca"}}}
    assert check([CERTIFICATE], tmp_path) == []
    assert check([wrong], tmp_path) == [("Certificate shop/web", "spec.secretName", "1 is not of type 'string'")]
    assert SchemaSet.from_manifests([], [tmp_path]).skipped == [str(tmp_path / "values.yaml")]


def test_a_kind_in_no_folder_is_not_validated():
    thing = {"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": {"name": "g"}}
    (problem,) = check_manifests([thing], SchemaSet.from_manifests([thing], [FIXTURES / "catalog"]))
    assert problem.not_validated


def test_the_input_crd_comes_before_the_folders(tmp_path):
    folder = tmp_path / "networking.istio.io"
    folder.mkdir()
    (folder / "virtualservice_v1.json").write_text(
        json.dumps({"type": "object", "properties": {"spec": {"type": "string"}}})
    )
    crd = yaml.safe_load((FIXTURES / "crds" / "certificates.cert-manager.io.yaml").read_text())
    crd["spec"].update(group="networking.istio.io", names={**crd["spec"]["names"], "kind": "VirtualService"})
    route = {**CERTIFICATE, "apiVersion": "networking.istio.io/v1", "kind": "VirtualService"}
    assert check([crd, route], tmp_path) == []


def test_only_the_catalog_files_of_checked_kinds_are_read(tmp_path):
    shutil.copytree(FIXTURES / "catalog", tmp_path, dirs_exist_ok=True)
    (tmp_path / "networking.istio.io" / "gateway_v1.json").write_text("{ not json")
    assert check([ROUTE], tmp_path) == []
    gateway = {"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": {"name": "g"}}
    (problem,) = refused([gateway], tmp_path)
    assert problem.startswith(f"{tmp_path}/networking.istio.io/gateway_v1.json: not JSON (Expecting property name")


def test_a_bad_catalog_schema_names_the_file_and_line(tmp_path):
    folder = tmp_path / "networking.istio.io"
    folder.mkdir()
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {"hosts": {"type": "list"}}}}}
    (folder / "virtualservice_v1.json").write_text(json.dumps(schema, indent=2))
    (folder / "destinationrule_v1.json").write_text(
        json.dumps({"type": "object", "$ref": "https://example.com/x.json"})
    )
    rule = {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "d"}}
    assert refused([ROUTE, rule], tmp_path) == [
        f"{folder}/virtualservice_v1.json:8:11: properties.spec.properties.hosts.type: must be one of object, array, "
        "string, integer, number, boolean, not 'list'\n    hint: a catalog file holds one version's openAPIV3Schema "
        "as JSON Schema: <group>/<kind>_<version>.json",
        f"{folder}/destinationrule_v1.json:1:20: $ref: only a reference within the file (#/...) is followed\n"
        "    hint: a catalog file holds one version's openAPIV3Schema as JSON Schema: <group>/<kind>_<version>.json",
    ]


def test_a_bad_crd_file_names_the_file_line_and_key(tmp_path):
    text = (FIXTURES / "crds" / "certificates.cert-manager.io.yaml").read_text()
    text = text.replace("                  maxLength: 64", "                  maxLength: -64")
    (tmp_path / "certificates.yaml").write_text(text)
    (tmp_path / "old.yaml").write_text(
        "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata: {name: olds.example.com}\n"
    )
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "maxLength: -64" in row)
    assert refused([], tmp_path) == [
        f"{tmp_path}/certificates.yaml:{line}:19: spec.versions[0].schema.openAPIV3Schema.properties.spec.properties."
        "commonName.maxLength: CustomResourceDefinition certificates.cert-manager.io: must be a non-negative integer, "
        "not -64\n    hint: the API server would refuse it",
        f"{tmp_path}/old.yaml:1:1: apiVersion: CustomResourceDefinition olds.example.com: apiextensions.k8s.io/v1beta1 "
        "CustomResourceDefinition was removed in Kubernetes 1.22: use apiextensions.k8s.io/v1\n    hint: its schema is "
        "not used: write it as apiextensions.k8s.io/v1 (spec.versions[*].schema)",
    ]


def test_a_missing_folder_and_an_unreadable_file_are_input_errors(tmp_path):
    assert refused([], tmp_path / "nowhere") == [
        f"--schema-dir {tmp_path / 'nowhere'}: no such folder\n    hint: --schema-dir takes CRD files and catalog "
        "schemas (<group>/<kind>_<version>.json)"
    ]
    (tmp_path / "crd.yaml").write_text("kind: CustomResourceDefinition\n  bad: [indent\n")
    (problem,) = refused([], tmp_path)
    assert problem.startswith(f"{tmp_path}/crd.yaml:2:")


def test_a_catalog_object_that_preserves_unknown_fields_keeps_them_despite_the_converters_false(tmp_path):
    folder = tmp_path / "example.com"
    folder.mkdir()
    spec = {"type": "object", "properties": {"size": {"type": "integer"}}, "additionalProperties": False}
    loose = {**spec, "x-kubernetes-preserve-unknown-fields": True}
    schema = {"type": "object", "properties": {"spec": spec, "status": loose}}
    (folder / "widget_v1.json").write_text(json.dumps(schema))
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    widget.update(spec={"size": 1, "colour": "red"}, status={"size": 1, "seen": True})
    assert check([widget], tmp_path) == [("Widget w", "spec", "unknown field ('colour' was unexpected)")]
