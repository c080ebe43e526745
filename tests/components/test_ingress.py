"""Ingress: one host per platform, TLS from cert-manager, HTTPS enforced, routes that resolve."""

from __future__ import annotations

import dataclasses

import pytest

from components.ingress import IngressSpec
from stacks.platform import components
from tests.conftest import STAGES, find

INGRESSES = [
    (stage, f"{family}-{stage}", name)
    for stage in STAGES
    for family, name in (("agent-platform", "agentflow"), ("model-training", "model-training"))
]
INGRESS_IDS = [f"{ns}/{name}" for _, ns, name in INGRESSES]

HOSTS = {
    ("prod", "agentflow"): "api.agentflow.example.com",
    ("prod", "model-training"): "training.agentflow.example.com",
    ("staging", "agentflow"): "api.staging.agentflow.example.com",
    ("staging", "model-training"): "training.staging.agentflow.example.com",
    ("dev", "agentflow"): "api.dev.agentflow.example.com",
    ("dev", "model-training"): "training.dev.agentflow.example.com",
}


def ingress(rendered, stage: str, namespace: str, name: str) -> dict:
    return find(rendered[stage].manifests, "Ingress", name, namespace)


@pytest.mark.parametrize("stage", STAGES)
def test_one_ingress_per_platform(rendered, stage):
    found = sorted(
        (m["metadata"]["namespace"], m["metadata"]["name"]) for m in rendered[stage].manifests if m["kind"] == "Ingress"
    )
    assert found == [(f"agent-platform-{stage}", "agentflow"), (f"model-training-{stage}", "model-training")]


@pytest.mark.parametrize("stage, namespace, name", INGRESSES, ids=INGRESS_IDS)
def test_tls_covers_the_host_with_a_secret(rendered, stage, namespace, name):
    spec = ingress(rendered, stage, namespace, name)["spec"]
    host = HOSTS[(stage, name)]
    assert spec["tls"] == [{"hosts": [host], "secretName": f"{name}-tls"}]
    assert [rule["host"] for rule in spec["rules"]] == [host]


@pytest.mark.parametrize(
    "stage, issuer", [("prod", "letsencrypt-prod"), ("staging", "letsencrypt-prod"), ("dev", "letsencrypt-staging")]
)
@pytest.mark.parametrize("family, name", [("agent-platform", "agentflow"), ("model-training", "model-training")])
def test_cert_manager_cluster_issuer_per_stage(rendered, stage, issuer, family, name):
    annotations = ingress(rendered, stage, f"{family}-{stage}", name)["metadata"]["annotations"]
    assert annotations["cert-manager.io/cluster-issuer"] == issuer


@pytest.mark.parametrize("stage, namespace, name", INGRESSES, ids=INGRESS_IDS)
def test_https_is_enforced(rendered, stage, namespace, name):
    annotations = ingress(rendered, stage, namespace, name)["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"
    assert annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"] == "true"


def test_ssl_redirect_off_is_rendered_as_the_string_false(environments):
    env = environments["prod"]
    off = dataclasses.replace(env, ingress=dataclasses.replace(env.ingress, ssl_redirect=False))
    spec = next(s for s in components(off) if isinstance(s, IngressSpec))
    assert spec.manifests()[0]["metadata"]["annotations"]["nginx.ingress.kubernetes.io/ssl-redirect"] == "false"


@pytest.mark.parametrize("stage, namespace, name", INGRESSES, ids=INGRESS_IDS)
def test_ingress_class_is_nginx(rendered, stage, namespace, name):
    assert ingress(rendered, stage, namespace, name)["spec"]["ingressClassName"] == "nginx"


def test_prod_platform_routes(rendered):
    (rule,) = ingress(rendered, "prod", "agent-platform-prod", "agentflow")["spec"]["rules"]
    routes = {
        p["path"]: (p["pathType"], p["backend"]["service"]["name"], p["backend"]["service"]["port"]["number"])
        for p in rule["http"]["paths"]
    }
    assert routes == {
        "/api/v1/agents": ("Prefix", "agent-service", 8080),
        "/api/v1/tasks": ("Prefix", "task-service", 8080),
        "/api/v1/tools": ("Prefix", "tool-service", 8080),
        "/api/v1/users": ("Prefix", "user-service", 8080),
        "/api/v1/tenants": ("Prefix", "tenant-service", 8080),
        "/api/v1/costs": ("Prefix", "cost-service", 8080),
        "/api/v1/health": ("Prefix", "monitoring-service", 8080),
    }


def test_prod_training_routes(rendered):
    (rule,) = ingress(rendered, "prod", "model-training-prod", "model-training")["spec"]["rules"]
    routes = {p["path"]: p["backend"]["service"]["name"] for p in rule["http"]["paths"]}
    assert routes == {
        "/api/v1/fine-tuning": "fine-tuning-service",
        "/api/v1/compression": "compression-service",
        "/api/v1/hpo": "hpo-service",
        "/api/v1/evaluation": "evaluation-service",
        "/api/v1/datasets": "data-service",
        "/api/v1/models": "model-serving",
    }


@pytest.mark.parametrize("stage, namespace, name", INGRESSES, ids=INGRESS_IDS)
def test_every_route_points_at_an_existing_service_port(rendered, stage, namespace, name):
    manifests = rendered[stage].manifests
    for rule in ingress(rendered, stage, namespace, name)["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            service = find(manifests, "Service", backend["name"], namespace)
            assert backend["port"]["number"] in {p["port"] for p in service["spec"]["ports"]}, path["path"]


@pytest.mark.parametrize("stage, namespace, name", INGRESSES, ids=INGRESS_IDS)
def test_routed_port_is_open_to_the_ingress_controller(rendered, stage, namespace, name):
    """The backend's NetworkPolicy admits the ingress controller's namespaces on the routed port."""
    manifests = rendered[stage].manifests
    for rule in ingress(rendered, stage, namespace, name)["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            policy = find(manifests, "NetworkPolicy", backend["name"], namespace)
            assert {
                "from": [{"namespaceSelector": {"matchLabels": {"network-policy": "allow-agentflow"}}}],
                "ports": [{"protocol": "TCP", "port": backend["port"]["number"]}],
            } in policy["spec"]["ingress"]


@pytest.mark.parametrize("stage", STAGES)
def test_no_two_routes_share_a_path(rendered, stage):
    for m in rendered[stage].manifests:
        if m["kind"] == "Ingress":
            paths = [p["path"] for rule in m["spec"]["rules"] for p in rule["http"]["paths"]]
            assert len(paths) == len(set(paths))
