import pytest

from policies.rules import ingress_tls as rule
from tests.policies.helpers import check, messages, pass_and_fail_tests

INGRESS = "Ingress agent-platform-prod/agentflow"
LISTED = "must be listed in spec.tls[].hosts of an entry with a secretName."
FAIL = {
    "no-tls": [
        f"{INGRESS} spec.rules[0].host: is 'api.agentflow.example.com' without TLS, {LISTED}",
        f"{INGRESS} spec.rules[1].host: is 'www.agentflow.example.com', listed in spec.tls[0] which has no secretName, "
        + LISTED,
        f"{INGRESS} spec.rules[3].host: is 'a.b.apps.example.com' without TLS, {LISTED}",
        f"{INGRESS} metadata.annotations['nginx.ingress.kubernetes.io/ssl-redirect']: is 'false', must be 'true' "
        "(or nginx.ingress.kubernetes.io/force-ssl-redirect 'true'), so plain HTTP is redirected to HTTPS.",
        f"{INGRESS} metadata.annotations['cert-manager.io/cluster-issuer']: is not set (nor cert-manager.io/issuer), "
        "must be the cert-manager issuer of the certificate (ingress.cluster_issuer, letsencrypt-prod in the reference).",
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL)


def test_a_rule_without_host_needs_some_tls_secret():
    ingress = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": "web",
            "namespace": "n",
            "annotations": {
                "cert-manager.io/cluster-issuer": "letsencrypt-prod",
                "nginx.ingress.kubernetes.io/ssl-redirect": "true",
            },
        },
        "spec": {"rules": [{"http": {}}]},
    }
    assert messages(check(rule, [ingress])) == [
        "Ingress n/web spec.rules[0].host: is not set (every host) with no spec.tls entry with a secretName, "
        "must be served over TLS: a spec.tls entry with a secretName."
    ]
    ingress["spec"]["tls"] = [{"secretName": "web-tls"}]
    assert check(rule, [ingress]) == []


@pytest.mark.parametrize(
    "pattern, host, covered",
    [
        ("api.example.com", "API.example.com", True),
        ("*.example.com", "api.example.com", True),
        ("*.example.com", "a.b.example.com", False),
        ("*.example.com", "example.com", False),
        (None, "x", False),
    ],
)
def test_tls_host_patterns(pattern, host, covered):
    assert rule.covers(pattern, host) is covered
