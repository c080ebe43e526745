import base64
from pathlib import Path

import pytest
import yaml

from policies.rules import no_secret_literals as rule
from tests.policies.helpers import FIXTURES, check, fixture, messages, pass_test
from tests.policies.odd_manifests import ODD

ENV = "must be a reference to a Secret created by an ExternalSecret (valueFrom.secretKeyRef), not a literal."
DATA = "must be free of secrets: a Secret created by an ExternalSecret holds them."
REDACTED = "a literal value (redacted)"
# Every literal secret the fail fixture holds (and fragments of them): none may reach a message.
SECRETS = [
    "hunter2",
    "not-really-a-key",
    "sk-proj-Abc123",
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI",
    "ghp_aBcDeF",
    "eyJhbGciOi",
    "oauth-client-secret-literal",
    "literal-llm-key",
    "literal-tool-token",
    "literal-json-secret",
    "literal-dotenv-key",
    "MIIBOgIBAAJBAKj34",
    "BEGIN RSA",
]


test_pass = pass_test(rule)


def test_fail_names_every_literal_secret():
    findings = check(rule, fixture(rule, "fail", "leaks"))
    spec = "Deployment agent-platform-prod/agent-service spec.template.spec"
    cm = "ConfigMap agent-platform-prod/agent-service-config"
    assert messages(findings) == [
        f"{spec}.initContainers[migrate].env[DATABASE_URL].value: is a literal value that looks like a URL with a password "
        f"(redacted), {ENV}",
        f"{spec}.containers[agent].env[PGPASSWORD].value: is {REDACTED}, {ENV}",
        f"{spec}.containers[agent].env[openaiApiKey].value: is {REDACTED}, {ENV}",
        f"{spec}.containers[agent].env[LLM_SETTINGS].value: is a literal value that looks like an OpenAI-style API key "
        f"(redacted), {ENV}",
        f"{spec}.containers[agent].env[AWS_ACCESS_KEY_ID].value: is a literal value that looks like an AWS access key id "
        f"(redacted), {ENV}",
        f"{spec}.containers[agent].env[aws-secret-access-key].value: is {REDACTED}, {ENV}",
        f"{spec}.containers[agent].env[GITHUB].value: is a literal value that looks like a GitHub token (redacted), {ENV}",
        f"{spec}.containers[agent].env[SESSION].value: is a literal value that looks like a JWT (redacted), {ENV}",
        f"{cm} data.client_secret: is {REDACTED}, {DATA}",
        f"{cm} data.config.yaml: is a file whose llm.api_key is {REDACTED}, {DATA}",
        f"{cm} data.config.yaml: is a file whose database.credentials.password is {REDACTED}, {DATA}",
        f"{cm} data.config.yaml: is a file whose tools[0].accessToken is {REDACTED}, {DATA}",
        f"{cm} data.settings.json: is a file whose auth.clientSecret is {REDACTED}, {DATA}",
        f"{cm} data.app.env: is a file whose DB_PASSWORD is {REDACTED}, {DATA}",
        f"{cm} data.app.env: is a file whose API_KEY is {REDACTED}, {DATA}",
        f"{cm} data.signing.pem: is a literal value holding what looks like a PEM private key (redacted), {DATA}",
        f"{cm} binaryData.client.properties: is a file whose db.password is {REDACTED}, {DATA}",
    ]
    assert {f.rule_id for f in findings} == {"no-secret-literals"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_no_secret_value_reaches_a_message():
    findings = check(rule, fixture(rule, "fail", "leaks"))
    text = "\n".join(" ".join((f.message(), f.path, f.observed, f.expected, f.resource)) for f in findings)
    assert findings and not [secret for secret in SECRETS if secret in text]
    raw = (FIXTURES / rule.ID / "fail" / "leaks.yaml").read_text()
    assert all(secret in raw or secret in _decoded_binary_data(raw) for secret in SECRETS)  # the list is not stale


def _decoded_binary_data(raw: str) -> str:
    docs = [d for d in yaml.safe_load_all(raw) if d]
    return "".join(base64.b64decode(v).decode() for d in docs for v in (d.get("binaryData") or {}).values())


def test_a_key_that_looks_like_a_credential_is_not_shown():
    manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "ns"},
        "data": {"config.yaml": "AKIAIOSFODNN7EXAMPLE: enabled\npassword: hunter2\n"},
    }
    text = "\n".join(messages(check(rule, [manifest])))
    assert "AKIA" not in text and "hunter2" not in text and "is a file whose password is" in text


@pytest.mark.parametrize(
    "name",
    [
        "PASSWORD",
        "db_password",
        "dbPassword",
        "PGPASSWORD",
        "passwd",
        "SECRET_KEY",
        "client-secret",
        "OAUTH2_CLIENT_SECRET",
        "api_key",
        "apiKey",
        "API-KEY",
        "APIKEY",
        "openaiApiKey",
        "private_key",
        "privateKey",
        "credentials",
        "accessKey",
        "AWS_ACCESS_KEY_ID",
        "refresh_token",
        "GITHUB_TOKEN",
        "accessToken",
    ],
)
def test_secret_names(name):
    assert rule.secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "max_tokens",
        "maxTokens",
        "tokens_per_minute",
        "jwt_ttl_seconds",
        "refresh_ttl_seconds",
        "token_url",
        "TOKEN_URL",
        "password_file",
        "secret_name",
        "secretRef",
        "password_min_length",
        "tokenizer",
        "bcrypt_cost",
        "PWD",
        "log_format",
        "passwordless_enabled",
        "",
        None,
    ],
)
def test_names_that_are_not_secrets(name):
    assert not rule.secret_name(name)


@pytest.mark.parametrize(
    "value",
    [
        "${OPENAI_API_KEY}",
        "$(PGPASSWORD)",
        "$TOKEN",
        "",
        "  ",
        "2000",
        "0.7",
        "true",
        "off",
        "null",
        "{{ .Values.token }}",
        "****",
        "<set me>",
        2000,
        None,
        False,
    ],
)
def test_values_that_are_not_literal_secrets(value):
    assert not rule.literal(value)


@pytest.mark.parametrize(
    "value",
    [
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----",
        "key: AKIAIOSFODNN7EXAMPLE",
        "sk-ant-api03-abcdefghijklmnop0123456789",
        "github_pat_11ABCDEFG0123456789_abcdefghijk",
        "amqp://user:p4ss@rabbit:5672/",
        "redis://:p4ss@redis:6379/0",
    ],
)
def test_credentials_by_value(value):
    assert rule.credential(value)


@pytest.mark.parametrize(
    "value",
    [
        "http://fine-tuning-service.model-training-prod.svc:8080/openapi.json",
        "postgres://agents:${PGPASSWORD}@db/agents",
        "https://user@host/path",
        "task-service-something-long-name",
        "sk-learn-is-a-library-name",
        "eyJ.x.y",
        "-----BEGIN CERTIFICATE-----",
        'sum by (job) (rate(http_requests_total{namespace="agent-platform-prod"}[5m]))',
    ],
)
def test_values_that_are_not_credentials(value):
    assert rule.credential(value) is None


def test_the_platforms_own_config_maps_pass():
    # The release config, tenants, dashboard and integrator registry as rendered for prod.
    rendered = Path(__file__).resolve().parents[3] / "rendered" / "prod"
    manifests = [yaml.safe_load(p.read_text()) for p in sorted(rendered.glob("*/configmap-*.yaml"))]
    assert manifests and check(rule, manifests) == []


def test_odd_manifests_do_not_crash():
    assert check(rule, ODD) == []
