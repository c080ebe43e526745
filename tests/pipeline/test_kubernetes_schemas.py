"""Every rendered object validates: built-ins against Kubernetes 1.37, custom resources against their CRD schema."""

from __future__ import annotations

import kubernetes_validate
import pytest

from kube.crd_schemas import crd_validator
from tests.conftest import STAGES

KUBERNETES_VERSION = "1.37"


@pytest.mark.parametrize("stage", STAGES)
def test_every_rendered_object_validates(rendered, stage):
    failures, unvalidated = [], []
    for manifest in rendered[stage].manifests:
        title = f"{manifest['kind']} {manifest['metadata'].get('namespace', '')}/{manifest['metadata']['name']}"
        try:
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
            continue
        except kubernetes_validate.ValidationError as error:
            failures.append(f"{title}: {'.'.join(map(str, error.path))}: {error.message}")
            continue
        except kubernetes_validate.SchemaNotFoundError:
            pass
        validator = crd_validator(manifest["apiVersion"], manifest["kind"])
        if validator is None:
            unvalidated.append(title)  # never silently passed: a kind without a schema fails here
            continue
        failures += [
            f"{title}: {'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest)
        ]
    assert unvalidated == [], f"kinds with no schema to validate against: {unvalidated}"
    assert failures == []


def test_the_schema_check_catches_a_broken_manifest(rendered):
    deployment = next(m for m in rendered["prod"].manifests if m["kind"] == "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "three"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("stage", STAGES)
def test_the_pipelines_schema_check_passes_every_rendered_object(rendered, stage):
    from pipeline.kube_schema import check_manifests

    assert check_manifests(rendered[stage].manifests) == []
