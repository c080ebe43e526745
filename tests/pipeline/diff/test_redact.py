"""Redaction: a secret-like value never reaches the text, JSON or Markdown of a diff.

Every credential-shaped value is built at run time from harmless pieces, so nothing here
looks like a credential to a scanner of the repository.
"""

from __future__ import annotations

import base64
import copy
import json

import pytest

from pipeline.diff.redact import REDACTED, redact, redact_texts, secret_field, sensitive
from tests.pipeline.diff import container, diff, fields, only_change, pick, reports

NS = "agent-platform-prod"


def openai_key(seed: int) -> str:
    """An OpenAI-shaped key that is no key: sk-proj then letters and digits."""
    return "sk-" + "proj" + "".join(f"{seed}{i}x" for i in range(8))


def password(seed: int) -> str:
    """A password-like literal (not credential-shaped: recognisable by its variable's name only)."""
    return "pw" + "-" + str(4821 + seed) + "-tango"


def url_with_password(seed: int) -> str:
    return "https://agent:" + password(seed) + "@llm-proxy.example.com/v1"


def assert_hidden(stage_diff, *values: str) -> dict[str, str]:
    """None of values in any report of the diff; the reports say (redacted) instead."""
    out = reports(stage_diff)
    for fmt, text in out.items():
        for value in values:
            assert value not in text, f"{fmt} report shows a secret-like value"
        assert REDACTED in text, fmt
    json.loads(out["json"])
    return out


@pytest.fixture
def deployment(rendered):
    return pick(rendered, "prod", "Deployment", "agent-service")


def secret(data: dict[str, str] | None = None, string_data: dict[str, str] | None = None) -> dict:
    manifest = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "llm-api-keys", "namespace": NS},
        "type": "Opaque",
    }
    if data is not None:
        manifest["data"] = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    if string_data is not None:
        manifest["stringData"] = dict(string_data)
    return manifest


def test_secret_data_and_string_data_values_are_redacted():
    old = secret({"openai-api-key": openai_key(1), "region": "eu"}, {"note": "rotated monthly"})
    new = secret({"openai-api-key": openai_key(2), "region": "us", "anthropic-api-key": "plain"}, {"note": "weekly"})
    result = diff(old, new)
    assert fields(result.changes[0]) == [
        {"path": "data.anthropic-api-key", "old": None, "new": REDACTED},
        {"path": "data.openai-api-key", "old": REDACTED, "new": REDACTED},
        {"path": "data.region", "old": REDACTED, "new": REDACTED},
        {"path": "stringData.note", "old": REDACTED, "new": REDACTED},
    ]
    hidden = [old["data"]["openai-api-key"], new["data"]["openai-api-key"], new["data"]["anthropic-api-key"]]
    assert_hidden(result, *hidden, old["data"]["region"], new["data"]["region"], "rotated monthly", "weekly")


def test_secret_data_added_whole_is_redacted_value_by_value():
    old = secret()
    new = secret({"token": password(1)})
    change = only_change(old, new)
    assert fields(change) == [{"path": "data", "old": None, "new": REDACTED}]
    assert_hidden(diff(old, new), new["data"]["token"])


@pytest.mark.parametrize("variable", ["PASSWORD", "AZURE_OPENAI_API_KEY", "db_password", "ServiceToken"])
def test_the_value_of_a_secret_named_env_var_is_redacted(deployment, variable):
    container(deployment)["env"].append({"name": variable, "value": password(1)})
    new = copy.deepcopy(deployment)
    container(new)["env"][-1]["value"] = password(2)
    change = only_change(deployment, new)
    assert fields(change) == [
        {"path": f"spec.template.spec.containers[agent].env[{variable}].value", "old": REDACTED, "new": REDACTED}
    ]
    assert_hidden(diff(deployment, new), password(1), password(2))


def test_a_secret_named_env_var_that_becomes_a_literal_is_redacted(deployment):
    new = copy.deepcopy(deployment)
    item = next(e for e in container(new)["env"] if e["name"] == "OPENAI_API_KEY")
    del item["valueFrom"]
    item["value"] = "plain-" + password(3)
    change = only_change(deployment, new)
    assert fields(change) == [
        {
            "path": "spec.template.spec.containers[agent].env[OPENAI_API_KEY].value",
            "old": None,
            "new": REDACTED,
        },
        {
            "path": "spec.template.spec.containers[agent].env[OPENAI_API_KEY].valueFrom",
            "old": '{"secretKeyRef": {"key": "openai-api-key", "name": "llm-api-keys"}}',
            "new": None,
        },
    ]
    assert_hidden(diff(deployment, new), "plain-" + password(3))


def test_a_secret_named_env_var_added_or_removed_whole_is_redacted(deployment):
    new = copy.deepcopy(deployment)
    container(new)["env"].append({"name": "REDIS_AUTH_PASSWORD", "value": password(4)})
    change = only_change(deployment, new)
    assert fields(change) == [
        {
            "path": "spec.template.spec.containers[agent].env[REDIS_AUTH_PASSWORD]",
            "old": None,
            "new": json.dumps({"name": "REDIS_AUTH_PASSWORD", "value": REDACTED}),
        }
    ]
    assert_hidden(diff(deployment, new), password(4))
    assert_hidden(diff(new, deployment), password(4))


def test_a_container_added_whole_has_its_secret_env_redacted(deployment):
    new = copy.deepcopy(deployment)
    sidecar = {"name": "proxy", "image": "registry.agentflow.example.com/agentflow/proxy:1.0.0"}
    sidecar["env"] = [{"name": "PROXY_PASSWORD", "value": password(5)}, {"name": "MODE", "value": "strict"}]
    new["spec"]["template"]["spec"]["containers"].append(sidecar)
    out = assert_hidden(diff(deployment, new), password(5))
    assert "strict" in out["text"]  # what is not secret is still shown


def test_a_config_map_entry_named_like_a_secret_is_redacted(rendered):
    old = pick(rendered, "prod", "ConfigMap", "agent-service-config")
    old["data"]["db-password"] = password(6)
    old["data"]["region"] = "eu-west-1"
    new = copy.deepcopy(old)
    new["data"]["db-password"] = password(7)
    new["data"]["region"] = "eu-central-1"
    change = only_change(old, new)
    assert fields(change) == [
        {"path": "data.db-password", "old": REDACTED, "new": REDACTED},
        {"path": "data.region", "old": "eu-west-1", "new": "eu-central-1"},
    ]
    assert_hidden(diff(old, new), password(6), password(7))


@pytest.mark.parametrize(
    ("where", "value"),
    [
        pytest.param("annotation", openai_key(8), id="openai-key-in-an-annotation"),
        pytest.param("env", url_with_password(9), id="url-with-password-in-a-plain-env-var"),
        pytest.param("args", openai_key(10), id="openai-key-in-args"),
    ],
)
def test_a_credential_looking_value_is_redacted_whatever_its_name(deployment, where, value):
    new = copy.deepcopy(deployment)
    if where == "annotation":
        new["metadata"]["annotations"] = {"example.com/note": value}
    elif where == "env":
        container(new)["env"].append({"name": "UPSTREAM_URL", "value": value})
    else:
        container(new)["args"] = ["--serve", value]
    assert_hidden(diff(deployment, new), value)
    assert_hidden(diff(new, deployment), value)


def test_a_config_map_file_diff_hides_only_the_secret_values(rendered):
    old = pick(rendered, "prod", "ConfigMap", "agent-service-config")
    new = copy.deepcopy(old)
    text = new["data"]["config.yaml"]
    text = text.replace("  max_retries: 3\n", f"  api_key: {openai_key(11)}\n  max_retries: 3\n")
    text = text.replace("temperature: 0.7", "temperature: 0.5")
    text = text.replace("sample_ratio: 0.1", f"sample_ratio: 0.2\n  endpoint: {url_with_password(12)}")
    new["data"]["config.yaml"] = text
    change = only_change(old, new)
    assert fields(change) == [
        {
            "path": "data['config.yaml']",
            "old": "19 lines",
            "new": "21 lines",
            "lines": [
                "@@ -9,2 +9,3 @@",
                " llm:",
                f"+  api_key: {REDACTED}",
                "   max_retries: 3",
                "@@ -14,3 +15,3 @@",
                "   retry_backoff_seconds: 2",
                "-  temperature: 0.7",
                "+  temperature: 0.5",
                "   timeout_seconds: 60",
                "@@ -18,2 +19,3 @@",
                " tracing:",
                "-  sample_ratio: 0.1",
                "+  sample_ratio: 0.2",
                f"+  endpoint: {REDACTED}",  # the key stays: only the value is cut out
            ],
        }
    ]
    out = assert_hidden(diff(old, new), openai_key(11), url_with_password(12), password(12))
    assert "+  temperature: 0.5" in out["text"] and "+  temperature: 0.5" in out["markdown"]


def test_a_secret_env_value_in_a_list_with_duplicate_names_is_redacted(deployment):
    env = container(deployment)["env"]
    env += [{"name": "DB_PASSWORD", "value": password(13)}, {"name": "DB_PASSWORD", "value": password(14)}]
    new = copy.deepcopy(deployment)
    container(new)["env"][-2]["value"] = password(15)
    assert_hidden(diff(deployment, new), password(13), password(15))


# the functions themselves ------------------------------------------------------------------------


def test_secret_field_knows_secret_data_secret_env_values_and_secret_config_entries():
    env = ["spec", "template", "spec", "containers", "[agent]", "env"]
    assert secret_field("Secret", ["data", "anything"])
    assert secret_field("Secret", ["stringData", "anything"])
    assert not secret_field("Secret", ["metadata", "labels", "x"])
    assert secret_field("Deployment", [*env, "[OPENAI_API_KEY]", "value"])
    assert secret_field("Deployment", [*env, "[PASSWORD]", "value"])
    assert not secret_field("Deployment", [*env, "[MAX_TOKENS]", "value"])
    assert not secret_field("Deployment", [*env, "[PGHOST]", "value"])
    assert secret_field("ConfigMap", ["data", "api-token"])
    assert not secret_field("ConfigMap", ["data", "config.yaml"])
    assert not secret_field("ConfigMap", ["data", "token_url"])


def test_sensitive_knows_credential_values_and_secret_files():
    assert sensitive("Deployment", ["metadata", "annotations", "x"], openai_key(16))
    assert not sensitive("Deployment", ["metadata", "annotations", "x"], "sk-short")
    assert sensitive("ConfigMap", ["data", "app.env"], f"MODE=strict\nAPI_KEY={password(17)}\n")
    assert not sensitive("ConfigMap", ["data", "app.env"], "MODE=strict\nAPI_KEY=${API_KEY}\n")


def test_redact_walks_added_subtrees():
    value = {"env": [{"name": "PASSWORD", "value": password(18)}, {"name": "MODE", "value": "strict"}]}
    assert redact("Deployment", ["spec"], value) == {
        "env": [{"name": "PASSWORD", "value": REDACTED}, {"name": "MODE", "value": "strict"}]
    }
    assert redact("Secret", [], {"data": {"a": "b"}, "type": "Opaque"}) == {"data": {"a": REDACTED}, "type": "Opaque"}


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("  api_key: {value}", f"  api_key: {REDACTED}"),
        ('export DB_PASSWORD="{value}"', f"export DB_PASSWORD={REDACTED}"),
        ("client_secret = {value}", f"client_secret = {REDACTED}"),
        ("  max_tokens: 2000", "  max_tokens: 2000"),
        ("  password: ${{DB_PASSWORD}}", "  password: ${DB_PASSWORD}"),
        ("  model: gpt-4o", "  model: gpt-4o"),
    ],
)
def test_a_line_of_a_file_that_is_not_yaml_loses_a_secret_value(line, shown):
    text = line.format(value=password(19))
    assert redact_texts("app.properties", text, text) == (shown, shown)


def test_a_line_of_a_file_that_is_not_yaml_holding_a_credential_is_hidden_whole():
    for line in (f"  upstream: {url_with_password(20)}", f"Authorization: Bearer {openai_key(21)}"):
        assert redact_texts("app.env", line, line) == (REDACTED, REDACTED)


def pem_key() -> str:
    """A PEM private key block that is no key (header, base64-looking body, footer)."""
    kind = "RSA " + "PRIVATE KEY"
    body = "\n".join("MII" + "Bog" + str(i) * 60 for i in range(5))
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----"


def config_with(rendered, extra: str) -> tuple[dict, dict]:
    old = pick(rendered, "prod", "ConfigMap", "agent-service-config")
    new = copy.deepcopy(old)
    new["data"]["config.yaml"] = new["data"]["config.yaml"].replace("  max_retries: 3\n", extra + "  max_retries: 3\n")
    return old, new


def test_a_multi_line_secret_in_a_config_file_is_cut_out_whole(rendered):
    """A PEM key in a block scalar, and a two-line password: no line of either reaches any report."""
    key = pem_key()
    block = "".join(f"    {line}\n" for line in key.splitlines())
    two_lines = password(13) + "\n" + password(14)
    old, new = config_with(rendered, f"  tls_private: |\n{block}  db_password: {json.dumps(two_lines)}\n")
    stage_diff = diff(old, new)
    body_lines = key.splitlines()[1:-1]
    assert_hidden(stage_diff, *body_lines, password(13), password(14))
    (change,) = fields(only_change(old, new))
    assert f"+  db_password: {REDACTED}" in change["lines"]
    assert f"+  tls_private: {REDACTED}" in change["lines"]  # the block scalar's 7 lines, one shown


def test_a_multi_line_value_in_an_env_file_is_hidden_line_by_line_and_by_shape(rendered):
    old = pick(rendered, "prod", "ConfigMap", "agent-service-config")
    new = copy.deepcopy(old)
    new["data"]["extra.env"] = "A=1\n"
    newer = copy.deepcopy(new)
    newer["data"]["extra.env"] = f"A=2\nDB_PASSWORD={password(15)}\nKEY_FILE_BODY={pem_key()}\n"
    assert_hidden(diff(new, newer), password(15), *pem_key().splitlines()[1:-1])


def test_last_applied_configuration_is_redacted_as_the_object_it_embeds():
    """kubectl apply keeps the whole object in an annotation: a Secret's data must not come back through it."""
    data = {"openai-api-key": base64.b64encode(password(16).encode()).decode()}
    applied = secret(data)
    old = secret(data)
    new = copy.deepcopy(old)
    new["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(applied),
    }
    stage_diff = diff(old, new)
    assert_hidden(stage_diff, data["openai-api-key"], password(16))
    (change,) = fields(only_change(old, new))
    shown = json.loads(json.loads(change["new"])["kubectl.kubernetes.io/last-applied-configuration"])
    assert shown["data"] == {"openai-api-key": REDACTED} and shown["metadata"]["name"] == "llm-api-keys"


def test_an_unreadable_last_applied_configuration_is_hidden_whole():
    old = secret({"k": "v"})
    new = copy.deepcopy(old)
    new["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": "{not json " + password(17)}
    assert_hidden(diff(old, new), password(17))


def test_a_rotated_secret_in_a_config_file_shows_as_changed_without_either_value(rendered):
    old, new = config_with(rendered, f"  api_key: {openai_key(20)}\n  db_password: {password(21)}\n")
    _, newer = config_with(rendered, f"  api_key: {openai_key(22)}\n  db_password: {password(21)}\n")
    stage_diff = diff(new, newer)
    assert_hidden(stage_diff, openai_key(20), openai_key(22), password(21))
    (change,) = fields(only_change(new, newer))
    assert change["lines"] == [
        "@@ -9,3 +9,3 @@",
        " llm:",
        f"-  api_key: {REDACTED}",
        "+  api_key: (redacted, changed)",
        f"   db_password: {REDACTED}",
    ]
