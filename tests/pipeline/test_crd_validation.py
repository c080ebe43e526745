"""Custom resources are validated against the CRDs among the checked manifests, per served version.

The CRD fixture follows cert-manager's Certificate CRD; each case asserts the exact problem.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from pipeline.crd_schemas_input import SchemaSet
from pipeline.kube_schema import check_manifests

FIXTURES = Path(__file__).parent / "crd_fixtures"
CRD = yaml.safe_load((FIXTURES / "crds" / "certificates.cert-manager.io.yaml").read_text())
CERTIFICATE = {
    "apiVersion": "cert-manager.io/v1",
    "kind": "Certificate",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {
        "secretName": "web-tls",
        "dnsNames": ["shop.example.com"],
        "duration": "2160h",
        "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer"},
        "privateKey": {"algorithm": "ECDSA", "size": 256},
        "usages": ["server auth", "digital signature"],
    },
}


def certificate(**spec) -> dict:
    out = copy.deepcopy(CERTIFICATE)
    out["spec"].update(spec)
    return out


def problems(*objects: dict) -> list[tuple[str, str, str]]:
    return [(p.resource, p.path, p.message) for p in check_manifests([CRD, *objects])]


def test_a_custom_resource_valid_against_its_crd_passes():
    assert problems(CERTIFICATE) == []


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"secretName": 7}, "spec.secretName", "7 is not of type 'string'"),
        (
            {"duration": "90 days"},
            "spec.duration",
            "'90 days' does not match '^([0-9]+(\\\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$'",
        ),
        (
            {"privateKey": {"algorithm": "DSA"}},
            "spec.privateKey.algorithm",
            "'DSA' is not one of ['RSA', 'ECDSA', 'Ed25519']",
        ),
        ({"privateKey": {"size": -1}}, "spec.privateKey.size", "-1 is less than the minimum of 0"),
        (
            {"privateKey": {"size": 2**31}},
            "spec.privateKey.size",
            "2147483648 is out of range for an int32 field (-2147483648 to 2147483647)",
        ),
        (
            {"privateKey": {"size": 256.0}},
            "spec.privateKey.size",
            "256.0 is a float, and this field holds an integer: write 256",
        ),
        (
            {"usages": ["server auth", "server auth"]},
            "spec.usages",
            "['server auth', 'server auth'] has non-unique elements",
        ),
        ({"issuerRef": {"kind": "Issuer"}}, "spec.issuerRef", "'name' is a required property"),
        ({"commonName": "x" * 65}, "spec.commonName", f"'{'x' * 65}' is too long"),
        ({"secretname": "typo"}, "spec", "unknown field ('secretname' was unexpected)"),
    ],
)
def test_a_custom_resource_violating_its_crd_fails_naming_the_field(change, path, message):
    assert problems(certificate(**change)) == [("Certificate shop/web", path, message)]


def test_unknown_fields_are_refused_where_the_schema_prunes_and_kept_where_it_preserves():
    extra = certificate()
    extra["status"] = {"anything": {"goes": 1}}  # x-kubernetes-preserve-unknown-fields
    extra["metadata"]["labels"] = {"team": "shop"}
    assert problems(extra) == []
    extra["metadata"]["colour"] = "blue"  # metadata is Kubernetes' ObjectMeta, strict
    extra["top"] = 1
    assert problems(extra) == [
        ("Certificate shop/web", "", "unknown field ('top' was unexpected)"),
        ("Certificate shop/web", "metadata", "unknown field ('colour' was unexpected)"),
    ]


def test_null_is_pruned_in_an_optional_field_kept_where_nullable_and_missing_where_required():
    assert problems(certificate(commonName=None, privateKey=None, revisionHistoryLimit=None)) == []
    assert problems(certificate(secretName=None)) == [
        ("Certificate shop/web", "spec.secretName", "null is not of type 'string'")
    ]


def test_a_required_field_with_a_default_may_be_left_out():
    crd = copy.deepcopy(CRD)
    key = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["privateKey"]
    key["required"] = ["rotationPolicy", "algorithm"]  # rotationPolicy has a default: the API server sets it
    assert [p.message for p in check_manifests([crd, certificate(privateKey={"algorithm": "RSA"})])] == []
    assert [p.message for p in check_manifests([crd, certificate(privateKey={"size": 2048})])] == [
        "'algorithm' is a required property"
    ]


def test_a_version_not_served_is_a_problem_and_an_undefined_version_too():
    old = {**certificate(), "apiVersion": "cert-manager.io/v1alpha2"}
    later = {**certificate(), "apiVersion": "cert-manager.io/v2"}
    assert problems(old, later) == [
        (
            "Certificate shop/web",
            "apiVersion",
            "CustomResourceDefinition certificates.cert-manager.io does not serve v1alpha2 (served: false)",
        ),
        (
            "Certificate shop/web",
            "apiVersion",
            "no version v2 of cert-manager.io Certificate: its CRD defines v1, v1alpha2",
        ),
    ]


def test_each_served_version_validates_against_its_own_schema():
    crd = copy.deepcopy(CRD)
    second = copy.deepcopy(crd["spec"]["versions"][0])
    second.update(name="v2", storage=False)
    spec = second["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec["properties"]["secretName"] = {"type": "integer"}  # v2 holds secretName as an integer
    crd["spec"]["versions"].append(second)
    v2 = {**certificate(secretName=3), "apiVersion": "cert-manager.io/v2"}
    v1 = certificate(secretName=3)
    assert [(p.path, p.message) for p in check_manifests([crd, v1, v2])] == [
        ("spec.secretName", "3 is not of type 'string'")
    ]


def test_a_custom_resource_with_no_schema_is_not_validated_and_a_built_in_looking_kind_is_a_problem():
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    foo = {"apiVersion": "apps/v1", "kind": "Foo", "metadata": {"name": "f"}}
    found = check_manifests([widget, foo])
    assert [(p.message, p.not_validated) for p in found] == [
        (
            "no schema for example.com/v1 Widget: not validated (no CRD for it among the manifests or in --schema-dir)",
            True,
        ),
        ("Kubernetes 1.37.0 has no kind Foo in apps/v1", False),
    ]
    assert found[0].as_dict() == {
        "resource": "Widget w",
        "path": "",
        "message": found[0].message,
        "not_validated": True,
    }


def test_a_gateway_api_route_is_a_custom_resource_although_its_group_ends_in_k8s_io():
    route = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "r"}}
    (problem,) = check_manifests([route])
    assert problem.not_validated


def test_the_input_crd_takes_precedence_over_the_platform_schemas():
    crd = copy.deepcopy(CRD)
    crd["spec"].update(group="monitoring.coreos.com", names={**crd["spec"]["names"], "kind": "ServiceMonitor"})
    monitor = {**certificate(), "apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor"}
    assert check_manifests([crd, monitor]) == []


def test_the_validators_are_built_once_per_crd_version():
    schemas = SchemaSet.from_manifests([CRD])
    known = schemas.lookup("cert-manager.io/v1", "Certificate")
    assert known is not None and known.fast() is not None  # compiled to the fast predicate
    assert schemas.lookup("cert-manager.io/v1", "Certificate") is known
    assert known.fast() is known.fast()
    found = check_manifests([certificate(), certificate(secretName=1)], schemas)
    assert [p.path for p in found] == ["spec.secretName"]


def test_the_compiled_crd_schemas_accept_exactly_what_jsonschema_accepts():
    import random

    from tests.pipeline.test_fast_paths import mutated

    crd = copy.deepcopy(CRD)
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
    spec["replicas"] = {"type": "number", "multipleOf": 0.5, "exclusiveMinimum": True, "minimum": 0}
    spec["port"] = {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]}
    spec["template"] = {
        "type": "object",
        "x-kubernetes-embedded-resource": True,
        "properties": {"spec": {"type": "object"}},
    }
    schemas = SchemaSet.from_manifests([crd], [FIXTURES / "catalog"])
    samples = {
        ("cert-manager.io/v1", "Certificate"): certificate(
            replicas=1.5, port="https", template={"apiVersion": "v1", "kind": "Pod", "spec": {}}
        ),
        ("networking.istio.io/v1", "VirtualService"): {
            "apiVersion": "networking.istio.io/v1",
            "kind": "VirtualService",
            "metadata": {"name": "r", "namespace": "shop"},
            "spec": {
                "hosts": ["r"],
                "http": [{"name": "a", "route": [{"destination": {"host": "r", "port": {"number": 80}}}]}],
            },
        },
    }
    rng = random.Random(20261124)
    rejected = 0
    for (api_version, kind), sample in samples.items():
        schemas.load_catalog(api_version, kind)
        known = schemas.lookup(api_version, kind)
        fast = known.fast()
        assert fast is not None and fast(sample) and known.validator.is_valid(sample)
        for _ in range(600):
            candidate = mutated(sample, rng)
            expected = known.validator.is_valid(candidate)
            assert fast(candidate) == expected, (kind, candidate, list(known.validator.iter_errors(candidate))[:3])
            rejected += not expected
    assert rejected > 300  # the mutations do reach the schemas' rules


def test_a_v1beta1_crd_is_removed_and_its_resources_are_not_validated():
    old = {
        "apiVersion": "apiextensions.k8s.io/v1beta1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "version": "v1", "names": {"kind": "Widget", "plural": "widgets"}},
    }
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert [(p.message, p.not_validated) for p in check_manifests([old, widget])] == [
        (
            "apiextensions.k8s.io/v1beta1 CustomResourceDefinition was removed in Kubernetes 1.22: "
            "use apiextensions.k8s.io/v1",
            False,
        ),
        (
            "not validated: its CustomResourceDefinition widgets.example.com is apiextensions.k8s.io/v1beta1, "
            "which Kubernetes 1.22 stopped serving (reported on it)",
            True,
        ),
    ]


def test_generated_metadata_fields_are_accepted_as_on_built_in_kinds():
    generated = certificate()
    generated["metadata"].update(creationTimestamp=None, annotations={"a": "b"}, finalizers=["x/y"])
    assert problems(generated) == []
