"""Secrets: ExternalSecrets only, and every secret reference of a workload resolves to one."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from tests.conftest import REPOSITORY, STAGES, find

SCHEMA = json.loads((REPOSITORY / "kube" / "crd_schemas" / "external-secrets.io_v1_ExternalSecret.json").read_text())
AGENT_SECRETS = {
    "llm-api-keys",
    "redis-credentials",
    "jwt-signing-key",
    "oauth2-client",
    *(f"postgres-{db}-credentials" for db in ("agents", "tasks", "tools", "users", "tenants", "costs")),
}
TRAINING_SECRETS = {f"postgres-{db}-credentials" for db in ("finetuning", "hpo", "datasets")}
SECRET_LIKE = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE|CREDENTIAL", re.IGNORECASE)


def external_secrets(manifests, namespace: str | None = None) -> list[dict]:
    return [
        m
        for m in manifests
        if m["kind"] == "ExternalSecret" and (namespace is None or m["metadata"]["namespace"] == namespace)
    ]


def containers(manifest: dict) -> list[dict]:
    """Every container (init and ephemeral included) of a workload's pod template."""
    spec = manifest.get("spec", {})
    if manifest["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    pod = spec.get("template", {}).get("spec")
    if pod is None:
        return []
    return [*pod.get("initContainers", []), *pod["containers"], *pod.get("ephemeralContainers", [])]


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("family, expected", [("agent-platform", AGENT_SECRETS), ("model-training", TRAINING_SECRETS)])
def test_one_external_secret_per_secret(rendered, stage, family, expected):
    names = [m["metadata"]["name"] for m in external_secrets(rendered[stage].manifests, f"{family}-{stage}")]
    assert sorted(names) == sorted(expected)


@pytest.mark.parametrize("stage", STAGES)
def test_no_literal_secret_in_any_stage(rendered, stage):
    assert [m["metadata"]["name"] for m in rendered[stage].manifests if m["kind"] == "Secret"] == []


@pytest.mark.parametrize("stage", STAGES)
def test_external_secrets_use_v1_the_cluster_store_and_refresh_hourly(rendered, stage):
    for manifest in external_secrets(rendered[stage].manifests):
        assert manifest["apiVersion"] == "external-secrets.io/v1"
        assert manifest["spec"]["secretStoreRef"] == {"name": "agentflow-secrets", "kind": "ClusterSecretStore"}
        assert manifest["spec"]["refreshInterval"] == "1h"


@pytest.mark.parametrize("stage", STAGES)
def test_external_secret_creates_and_owns_a_secret_of_its_name(rendered, stage):
    for manifest in external_secrets(rendered[stage].manifests):
        target = manifest["spec"]["target"]
        assert target["name"] == manifest["metadata"]["name"]
        assert target["creationPolicy"] == "Owner"


@pytest.mark.parametrize("stage", STAGES)
def test_external_secrets_are_valid_against_the_crd_schema(rendered, stage):
    for manifest in external_secrets(rendered[stage].manifests):
        jsonschema.validate(manifest, SCHEMA, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize(
    "namespace, database",
    [
        ("agent-platform-prod", "agents"),
        ("agent-platform-prod", "costs"),
        ("model-training-prod", "finetuning"),
        ("model-training-prod", "datasets"),
    ],
)
def test_database_credentials_external_secret(rendered, namespace, database):
    manifest = find(rendered["prod"].manifests, "ExternalSecret", f"postgres-{database}-credentials", namespace)
    assert manifest["spec"]["data"] == [
        {"secretKey": "password", "remoteRef": {"key": f"agentflow/postgres/{database}", "property": "password"}},
        {"secretKey": "username", "remoteRef": {"key": f"agentflow/postgres/{database}", "property": "username"}},
    ]


def test_llm_api_keys_external_secret(rendered):
    manifest = find(rendered["prod"].manifests, "ExternalSecret", "llm-api-keys", "agent-platform-prod")
    assert manifest["spec"]["data"] == [
        {"secretKey": "anthropic-api-key", "remoteRef": {"key": "agentflow/llm", "property": "anthropic_api_key"}},
        {"secretKey": "openai-api-key", "remoteRef": {"key": "agentflow/llm", "property": "openai_api_key"}},
    ]


@pytest.mark.parametrize("stage", STAGES)
def test_every_secret_key_ref_resolves_to_an_external_secret_key_in_the_same_namespace(rendered, stage):
    manifests = rendered[stage].manifests
    provided = {
        (m["metadata"]["namespace"], m["spec"]["target"]["name"], item["secretKey"])
        for m in external_secrets(manifests)
        for item in m["spec"]["data"]
    }
    referenced = set()
    for manifest in manifests:
        for container in containers(manifest):
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    referenced.add((manifest["metadata"]["namespace"], ref["name"], ref["key"]))
            assert "envFrom" not in container  # whole-secret imports would bypass this check
    assert referenced  # the check is not vacuous
    assert referenced - provided == set()


@pytest.mark.parametrize("stage", STAGES)
def test_every_external_secret_is_used_by_a_workload(rendered, stage):
    manifests = rendered[stage].manifests
    used = {
        (m["metadata"]["namespace"], v["valueFrom"]["secretKeyRef"]["name"])
        for m in manifests
        for c in containers(m)
        for v in c.get("env", [])
        if "secretKeyRef" in v.get("valueFrom", {})
    }
    created = {(m["metadata"]["namespace"], m["spec"]["target"]["name"]) for m in external_secrets(manifests)}
    assert created - used == set()


@pytest.mark.parametrize("stage", STAGES)
def test_no_secret_like_env_variable_has_a_literal_value(rendered, stage):
    literal = [
        (m["metadata"]["name"], v["name"])
        for m in rendered[stage].manifests
        for c in containers(m)
        for v in c.get("env", [])
        if SECRET_LIKE.search(v["name"]) and "valueFrom" not in v
    ]
    assert literal == []


@pytest.mark.parametrize("stage", STAGES)
def test_no_config_map_carries_a_credential(rendered, stage):
    for manifest in rendered[stage].manifests:
        if manifest["kind"] == "ConfigMap":
            text = json.dumps(manifest["data"]).lower()
            assert not re.search(r"password|api_key|client_secret|private_key", text), manifest["metadata"]["name"]
