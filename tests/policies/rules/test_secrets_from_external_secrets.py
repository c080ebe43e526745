import pytest

from policies.rules import secrets_from_external_secrets as rule
from tests.policies.helpers import check, fixture, messages, pass_test
from tests.policies.odd_manifests import ODD

TARGET = "must be the target of an ExternalSecret in agent-platform-prod."
KEY = "must be a key the ExternalSecret provides (spec.data[].secretKey)."


test_pass = pass_test(rule)


def test_fail_names_every_secret_and_key_nobody_provides():
    findings = check(rule, fixture(rule, "fail", "platform"))
    spec = "Deployment agent-platform-prod/task-service spec.template.spec"
    assert messages(findings) == [
        f"{spec}.initContainers[wait].envFrom[0].secretRef.name: is 'smtp', which no ExternalSecret in agent-platform-prod "
        f"creates, {TARGET}",
        f"{spec}.containers[task].env[REDIS_PASSWORD].valueFrom.secretKeyRef.key: is 'passwd', which ExternalSecret "
        f"agent-platform-prod/redis-credentials does not provide (it provides: password), {KEY}",
        f"{spec}.containers[task].env[OPENAI_API_KEY].valueFrom.secretKeyRef.name: is 'llm-api-keys', which no "
        f"ExternalSecret in agent-platform-prod creates, {TARGET}",
        f"{spec}.volumes[certs].secret.secretName: is 'task-service-tls', which no ExternalSecret in agent-platform-prod "
        f"creates, {TARGET}",
        f"{spec}.volumes[bundle].projected.sources[0].secret.items[0].key: is 'username', which ExternalSecret "
        f"agent-platform-prod/redis-credentials does not provide (it provides: password), {KEY}",
    ]
    assert {f.rule_id for f in findings} == {"secrets-from-external-secrets"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def _external_secret(spec, api_version="external-secrets.io/v1"):
    return {
        "apiVersion": api_version,
        "kind": "ExternalSecret",
        "metadata": {"name": "es", "namespace": "ns"},
        "spec": spec,
    }


def _pod(key="password"):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "image": "x:1",
                    "env": [{"name": "V", "valueFrom": {"secretKeyRef": {"name": "creds", "key": key}}}],
                }
            ]
        },
    }


@pytest.mark.parametrize(
    "spec, key, ok",
    [
        ({"target": {"name": "creds"}, "data": [{"secretKey": "password"}]}, "password", True),
        ({"target": {"name": "creds"}, "data": [{"secretKey": "password"}]}, "user", False),
        ({"target": {"name": "creds"}, "dataFrom": [{"extract": {"key": "k"}}]}, "anything", True),
        (
            {
                "target": {"name": "creds", "template": {"data": {"dsn": "{{ .password }}"}}},
                "data": [{"secretKey": "password"}],
            },
            "password",
            False,
        ),
        (
            {
                "target": {"name": "creds", "template": {"data": {"dsn": "x"}, "mergePolicy": "Merge"}},
                "data": [{"secretKey": "password"}],
            },
            "password",
            True,
        ),
        ({"target": {"name": "creds", "template": {"templateFrom": [{"configMap": {"name": "t"}}]}}}, "anything", True),
        (
            {"target": {"name": "creds", "creationPolicy": "None"}, "data": [{"secretKey": "password"}]},
            "password",
            False,
        ),
        ({"target": {"name": "other"}, "data": [{"secretKey": "password"}]}, "password", False),
    ],
)
def test_what_an_external_secret_provides(spec, key, ok):
    assert (check(rule, [_external_secret(spec), _pod(key)]) == []) is ok


def test_other_api_groups_do_not_create_secrets():
    spec = {"target": {"name": "creds"}, "data": [{"secretKey": "password"}]}
    assert check(rule, [_external_secret(spec, "external-secrets.io/v1beta1"), _pod()]) == []
    assert len(check(rule, [_external_secret(spec, "example.com/v1"), _pod()])) == 1


def test_odd_manifests_do_not_crash():
    assert check(rule, ODD) == []


def test_data_of_the_wrong_shape_provides_no_key_and_does_not_crash():
    from policies.rules.secrets_from_external_secrets import provided_keys

    assert provided_keys({"data": "not-a-list"}) == set()
    assert provided_keys({"data": [{"secretKey": {"a": 1}}, {"secretKey": "db-password"}]}) == {"db-password"}
