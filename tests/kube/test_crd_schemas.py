"""The custom-resource schemas accept their valid example and reject each invalid one."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kube.crd_schemas import crd_validator, known_custom_resources

EXAMPLES = Path(__file__).parent / "crd_examples"


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def test_every_rendered_custom_resource_kind_has_a_schema():
    assert known_custom_resources() == [
        ("autoscaling.k8s.io/v1", "VerticalPodAutoscaler"),
        ("external-secrets.io/v1", "ExternalSecret"),
        ("monitoring.coreos.com/v1", "PrometheusRule"),
        ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ]


def test_unknown_custom_resource_has_no_validator():
    assert crd_validator("example.com/v1", "Widget") is None


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.valid.yaml")), ids=lambda p: p.name)
def test_valid_example_passes(path):
    document = _load(path)
    errors = list(crd_validator(document["apiVersion"], document["kind"]).iter_errors(document))
    assert errors == []


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.invalid-*.yaml")), ids=lambda p: p.name)
def test_invalid_example_fails(path):
    document = _load(path)
    kind = path.name.split(".")[0]
    # The v1beta1 example keeps its wrong apiVersion: validate it with the v1 schema it claims to be.
    api_version = {
        "ExternalSecret": "external-secrets.io/v1",
        "PrometheusRule": "monitoring.coreos.com/v1",
        "ServiceMonitor": "monitoring.coreos.com/v1",
        "VerticalPodAutoscaler": "autoscaling.k8s.io/v1",
    }[kind]
    assert list(crd_validator(api_version, kind).iter_errors(document)), f"{path.name} was accepted"
