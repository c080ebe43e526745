"""Tenant: a dedicated tenant's namespace, guard rails, secrets and services carry what its plan asks."""

from __future__ import annotations

import pytest
import yaml

from components.tenant import REGISTRY_LABEL, TenantSpec
from kube.tenancy import TENANT_LABEL, tenant_namespaces
from model.loader import load_environment
from pipeline.render import render_stage
from stacks.platform import components
from tests.conftest import ENVIRONMENTS, STAGES, find

PROD = "prod"


def plans() -> dict:
    """The plans as PyYAML reads defaults.yaml (an independent reader: the expectation)."""
    return yaml.safe_load((ENVIRONMENTS / "defaults.yaml").read_text(encoding="utf-8"))["plans"]


def in_namespace(manifests, namespace: str) -> list[dict]:
    return [m for m in manifests if m["metadata"].get("namespace") == namespace]


def tenant_specs(env) -> dict[str, TenantSpec]:
    return {spec.tenant: spec for spec in components(env) if isinstance(spec, TenantSpec)}


@pytest.mark.parametrize("stage", STAGES)
def test_every_tenant_of_the_stage_gets_a_labelled_restricted_namespace(environments, rendered, stage):
    env = environments[stage]
    assert env.tenants, f"{stage} hosts no tenant: nothing to test"
    expected = {f"tenant-{t.name}-{stage}": t.name for t in env.tenants}
    assert tenant_namespaces(rendered[stage].manifests) == expected
    for namespace in expected:
        labels = find(rendered[stage].manifests, "Namespace", namespace)["metadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
        assert labels["app.kubernetes.io/part-of"] == "agentflow"


def test_quota_is_the_plans(rendered):
    hard = find(rendered[PROD].manifests, "ResourceQuota", "quota", "tenant-acme-prod")["spec"]["hard"]
    assert hard == {key: str(value) for key, value in plans()["enterprise"]["quota"].items()}


def test_limit_range_is_the_stages(rendered):
    tenant = find(rendered[PROD].manifests, "LimitRange", "limits", "tenant-globex-prod")["spec"]
    platform = find(rendered[PROD].manifests, "LimitRange", "limits", "agent-platform-prod")["spec"]
    assert tenant == platform


@pytest.mark.parametrize(("tenant", "plan"), [("acme", "enterprise"), ("globex", "standard"), ("initech", "small")])
def test_each_service_scales_and_is_protected_as_the_plan_says(rendered, tenant, plan):
    manifests = rendered[PROD].manifests
    namespace = f"tenant-{tenant}-prod"
    for service, sizing in plans()[plan]["services"].items():
        hpa = find(manifests, "HorizontalPodAutoscaler", service, namespace)["spec"]
        assert (hpa["minReplicas"], hpa["maxReplicas"]) == (
            sizing["autoscaling"]["min_replicas"],
            sizing["autoscaling"]["max_replicas"],
        )
        assert (
            find(manifests, "PodDisruptionBudget", service, namespace)["spec"]["minAvailable"]
            == (sizing["pdb"]["min_available"])
        )
        assert find(manifests, "ServiceAccount", service, namespace)["automountServiceAccountToken"] is False
        assert "replicas" not in find(manifests, "Deployment", service, namespace)["spec"]  # the HPA's


def test_services_keep_the_stages_resources_and_run_the_released_image(environments, rendered):
    env = environments[PROD]
    platform = find(rendered[PROD].manifests, "Deployment", "agent-service", "agent-platform-prod")
    tenant = find(rendered[PROD].manifests, "Deployment", "agent-service", "tenant-acme-prod")
    (container,) = tenant["spec"]["template"]["spec"]["containers"]
    assert container["image"] == env.release.images["agent-service"]
    assert container["resources"] == platform["spec"]["template"]["spec"]["containers"][0]["resources"]


def test_config_map_carries_the_tenants_limits_and_features(rendered):
    config = find(rendered[PROD].manifests, "ConfigMap", "agent-service-config", "tenant-initech-prod")["data"]
    small = plans()["small"]
    assert yaml.safe_load(config["tenant.yaml"]) == {
        "tenant": "initech",
        "max_concurrent_agents": small["max_concurrent_agents"],
        "max_tasks_per_minute": small["max_tasks_per_minute"],
        "features": ["sso"],  # the tenant's override of the plan's []
    }
    assert "agent" in yaml.safe_load(config["config.yaml"])  # the release's application config


def test_database_credentials_are_the_tenants_own_references(rendered):
    manifests = rendered[PROD].manifests
    secret = find(manifests, "ExternalSecret", "postgres-agents-credentials", "tenant-acme-prod")
    keys = {item["remoteRef"]["key"] for item in secret["spec"]["data"]}
    assert keys == {"agentflow/postgres/tenants/acme/agents"}
    platform = find(manifests, "ExternalSecret", "postgres-agents-credentials", "agent-platform-prod")
    assert {item["remoteRef"]["key"] for item in platform["spec"]["data"]} != keys
    assert not [m for m in manifests if m["kind"] == "Secret"]
    env = {
        e["name"]: e
        for e in find(manifests, "Deployment", "agent-service", "tenant-acme-prod")["spec"]["template"]["spec"][
            "containers"
        ][0]["env"]
    }
    assert env["PGDATABASE"]["value"] == "agents"  # the platform's database, shared
    assert env["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "postgres-agents-credentials"


def test_tenant_namespace_denies_by_default_and_runs_nothing_unlabelled(rendered):
    manifests = in_namespace(rendered[PROD].manifests, "tenant-acme-prod")
    deny = find(manifests, "NetworkPolicy", "default-deny")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [], "egress": []}
    assert {m["metadata"]["labels"].get(TENANT_LABEL) for m in manifests} == {"acme"}
    kinds = {m["kind"] for m in manifests}
    assert {"ResourceQuota", "LimitRange", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= kinds
    assert "CronJob" not in kinds  # the platform's backups cover the shared databases


def test_calls_stay_inside_the_tenant(rendered):
    policy = find(rendered[PROD].manifests, "NetworkPolicy", "agent-service", "tenant-acme-prod")["spec"]
    called = {
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/instance"]
        for rule in policy["egress"]
        for peer in rule.get("to", [])
        if "podSelector" in peer and "namespaceSelector" not in peer  # DNS is a peer in kube-system
    }
    # cost-service runs only in the platform's namespace: the tenant's agent does not call it.
    assert called == {"task-service-acme-prod", "tool-service-acme-prod"}


def test_a_tenant_overrides_only_what_differs(environments_copy):
    prod = environments_copy / "prod.yaml"
    prod.write_text(
        prod.read_text().replace(
            "globex: {plan: standard}",
            "globex: {plan: standard, services: {tool-service: null, agent-service: {autoscaling: {max_replicas: 8}}},"
            ' quota: {pods: "30"}}',
        )
    )
    env = load_environment(environments_copy, PROD)
    manifests = in_namespace(render_stage(env).manifests, "tenant-globex-prod")
    assert not [m for m in manifests if m["metadata"]["name"].startswith("tool-service")]
    hpa = find(manifests, "HorizontalPodAutoscaler", "agent-service")["spec"]
    standard = plans()["standard"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (
        standard["services"]["agent-service"]["autoscaling"]["min_replicas"],
        8,
    )
    hard = find(manifests, "ResourceQuota", "quota")["spec"]["hard"]
    assert hard == {**{k: str(v) for k, v in standard["quota"].items()}, "pods": "30"}


def test_the_spec_lists_the_tenants_services_in_plan_order(environments):
    spec = tenant_specs(environments[PROD])["acme"]
    assert spec.name == "tenant-acme-prod"
    assert [s.name for s in spec.services] == list(plans()["enterprise"]["services"])


def test_tenant_service_learns_of_each_tenant_from_its_registry_entry(rendered):
    manifests = rendered[PROD].manifests
    entry = find(manifests, "ConfigMap", "tenant-globex", "agent-platform-prod")
    assert entry["metadata"]["labels"][REGISTRY_LABEL] == "true"
    assert yaml.safe_load(entry["data"]["tenant.yaml"]) == {
        "tenant": "globex",
        "plan": "standard",
        "namespace": "tenant-globex-prod",
        "max_concurrent_agents": plans()["standard"]["max_concurrent_agents"],
        "max_tasks_per_minute": plans()["standard"]["max_tasks_per_minute"],
        "features": plans()["standard"]["features"],
    }
    config = find(manifests, "ConfigMap", "tenant-service-config", "agent-platform-prod")["data"]
    assert "tenants.yaml" not in config and set(yaml.safe_load(config["plans.yaml"])["plans"]) == set(plans())
    role = find(manifests, "Role", "tenant-service", "agent-platform-prod")
    assert role["rules"] == [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}]
