"""TrainingPlatform: the fine-tuning platform's namespace, job and GPU quota, services, registry, alerts."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from decimal import Decimal

import pytest
import yaml

from components.training_platform import TrainingPlatformSpec
from kube.quantity import parse_quantity
from stacks.platform import components
from tests.conftest import STAGES, find

TRAINING_SERVICES = (
    "fine-tuning-service",
    "compression-service",
    "hpo-service",
    "evaluation-service",
    "data-service",
    "model-serving",
)
PROD_NS = "model-training-prod"


def in_namespace(manifests, namespace: str) -> list[dict]:
    return [m for m in manifests if m["metadata"].get("namespace") == namespace]


def training_spec(env) -> TrainingPlatformSpec:
    (spec,) = [s for s in components(env) if isinstance(s, TrainingPlatformSpec)]
    return spec


def quota(rendered, stage: str) -> dict[str, str]:
    return find(rendered[stage].manifests, "ResourceQuota", "quota", f"model-training-{stage}")["spec"]["hard"]


def registry(rendered, stage: str = "prod") -> dict:
    config_map = find(rendered[stage].manifests, "ConfigMap", "platform-integrator", f"model-training-{stage}")
    return yaml.safe_load(config_map["data"]["registry.yaml"])


# --- Namespace and quota -------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_namespace_is_model_training_stage(rendered, stage):
    namespace = find(rendered[stage].manifests, "Namespace", f"model-training-{stage}")
    labels = namespace["metadata"]["labels"]
    assert labels["app.kubernetes.io/part-of"] == "model-training"
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def job_quota(manifests, namespace: str) -> dict:
    return find(manifests, "ResourceQuota", "training-jobs", namespace)["spec"]


@pytest.mark.parametrize("stage, jobs, gpus", [("prod", "10", "10"), ("staging", "4", "4"), ("dev", "2", "2")])
def test_job_quota_admits_exactly_the_concurrent_jobs_and_their_gpus(rendered, stage, jobs, gpus):
    hard = job_quota(rendered[stage].manifests, f"model-training-{stage}")["hard"]
    assert hard["pods"] == jobs
    assert hard["requests.nvidia.com/gpu"] == gpus


def test_prod_job_quota_holds_ten_jobs_of_the_stage_size(rendered):
    assert job_quota(rendered["prod"].manifests, PROD_NS)["hard"] == {
        "pods": "10",
        "requests.nvidia.com/gpu": "10",
        "requests.cpu": "40",
        "requests.memory": "160Gi",
        "limits.cpu": "80",
        "limits.memory": "320Gi",
    }


@pytest.mark.parametrize("stage", STAGES)
def test_job_quota_is_scoped_to_the_training_priority_class(rendered, stage):
    namespace = f"model-training-{stage}"
    scope = job_quota(rendered[stage].manifests, namespace)["scopeSelector"]["matchExpressions"]
    assert scope == [{"scopeName": "PriorityClass", "operator": "In", "values": [f"{namespace}-jobs"]}]
    priority_class = find(rendered[stage].manifests, "PriorityClass", f"{namespace}-jobs")
    assert priority_class["preemptionPolicy"] == "Never"
    assert registry(rendered, stage)["job_priority_class"] == f"{namespace}-jobs"


@pytest.mark.parametrize("stage", STAGES)
def test_backup_jobs_do_not_count_against_the_training_jobs(rendered, stage):
    """Backups run without the training class, so the scoped quota never sees them."""
    namespace = f"model-training-{stage}"
    backups = [m for m in in_namespace(rendered[stage].manifests, namespace) if m["kind"] == "CronJob"]
    assert backups
    for backup in backups:
        assert "priorityClassName" not in backup["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert "count/jobs.batch" not in quota(rendered, stage)


def test_prod_namespace_quota_is_the_stage_files(rendered):
    assert quota(rendered, "prod") == {
        "requests.cpu": "48",
        "requests.memory": "192Gi",
        "limits.cpu": "96",
        "limits.memory": "384Gi",
        "pods": "40",
    }


def test_gpu_quota_scales_with_gpus_per_job(environments):
    spec = training_spec(environments["prod"])
    spec = dataclasses.replace(spec, job=dataclasses.replace(spec.job, gpus=2))
    hard = job_quota(spec.manifests(), PROD_NS)["hard"]
    assert (hard["pods"], hard["requests.nvidia.com/gpu"]) == ("10", "20")


def test_no_gpus_per_job_forbids_gpus(environments):
    spec = training_spec(environments["prod"])
    spec = dataclasses.replace(spec, job=dataclasses.replace(spec.job, gpus=0))
    assert job_quota(spec.manifests(), PROD_NS)["hard"]["requests.nvidia.com/gpu"] == "0"


def _peak(rendered, environments, stage: str) -> dict[str, Decimal]:
    """The services at their replicas, one run of every backup and concurrent_jobs training jobs."""
    training = environments[stage].training
    total: dict[str, Decimal] = defaultdict(Decimal)
    for m in in_namespace(rendered[stage].manifests, f"model-training-{stage}"):
        if m["kind"] == "Deployment":
            count, pod = m["spec"]["replicas"], m["spec"]["template"]["spec"]
        elif m["kind"] == "CronJob":
            count, pod = 1, m["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        else:
            continue
        total["pods"] += count
        for c in pod["containers"]:
            for kind in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    total[f"{kind}.{resource}"] += count * parse_quantity(c["resources"][kind][resource])
    job = training.job.resources
    total["pods"] += training.concurrent_jobs
    for kind, amounts in (("requests", job.requests), ("limits", job.limits)):
        total[f"{kind}.cpu"] += training.concurrent_jobs * parse_quantity(amounts.cpu)
        total[f"{kind}.memory"] += training.concurrent_jobs * parse_quantity(amounts.memory)
    return total


@pytest.mark.parametrize("stage", STAGES)
def test_training_quota_fits_the_concurrent_jobs_beside_services_and_backups(rendered, environments, stage):
    hard = quota(rendered, stage)
    peak = _peak(rendered, environments, stage)
    over = {
        key: (str(peak[key]), hard[key])
        for key in ("requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "pods")
        if peak[key] > parse_quantity(hard[key])
    }
    assert over == {}


def test_prod_training_job_fits_the_limit_range(rendered, environments):
    (limits,) = find(rendered["prod"].manifests, "LimitRange", "limits", PROD_NS)["spec"]["limits"]
    job = environments["prod"].training.job.resources
    for resource in ("cpu", "memory"):
        request, limit = parse_quantity(getattr(job.requests, resource)), parse_quantity(getattr(job.limits, resource))
        assert limit <= parse_quantity(limits["max"][resource])
        assert limit / request <= parse_quantity(limits["maxLimitRequestRatio"][resource])


# --- Services ------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_its_six_services(rendered, stage):
    objects = in_namespace(rendered[stage].manifests, f"model-training-{stage}")
    for kind in ("Deployment", "Service", "ServiceAccount", "NetworkPolicy", "ServiceMonitor"):
        names = {m["metadata"]["name"] for m in objects if m["kind"] == kind} & set(TRAINING_SERVICES)
        assert names == set(TRAINING_SERVICES), kind
    assert {m["metadata"]["name"] for m in objects if m["kind"] == "Deployment"} == set(TRAINING_SERVICES)


@pytest.mark.parametrize("stage, replicas", [("prod", 2), ("staging", 2), ("dev", 1)])
def test_services_run_fixed_replicas_without_an_hpa(rendered, stage, replicas):
    objects = in_namespace(rendered[stage].manifests, f"model-training-{stage}")
    assert {
        m["metadata"]["name"]: m["spec"]["replicas"] for m in objects if m["kind"] == "Deployment"
    } == dict.fromkeys(TRAINING_SERVICES, replicas)
    assert [m for m in objects if m["kind"] == "HorizontalPodAutoscaler"] == []


def test_prod_services_have_a_pdb_of_one(rendered):
    pdbs = {
        m["metadata"]["name"]: m["spec"]["minAvailable"]
        for m in in_namespace(rendered["prod"].manifests, PROD_NS)
        if m["kind"] == "PodDisruptionBudget"
    }
    assert pdbs == dict.fromkeys(TRAINING_SERVICES, 1)


def test_prod_services_are_spread_like_the_agent_platform(rendered):
    spec = find(rendered["prod"].manifests, "Deployment", "model-serving", PROD_NS)["spec"]["template"]["spec"]
    assert (
        spec["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]["topologyKey"]
        == "kubernetes.io/hostname"
    )
    assert spec["topologySpreadConstraints"][0]["whenUnsatisfiable"] == "DoNotSchedule"


def test_service_resources(rendered):
    c = find(rendered["prod"].manifests, "Deployment", "fine-tuning-service", PROD_NS)["spec"]["template"]["spec"][
        "containers"
    ][0]
    assert c["resources"] == {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"cpu": "1", "memory": "2Gi"}}


def test_fine_tuning_service_may_manage_jobs_in_its_namespace(rendered):
    role = find(rendered["prod"].manifests, "Role", "fine-tuning-service", PROD_NS)
    assert role["rules"] == [
        {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list", "watch", "create", "delete"]}
    ]
    assert (
        find(rendered["prod"].manifests, "ServiceAccount", "fine-tuning-service", PROD_NS)[
            "automountServiceAccountToken"
        ]
        is True
    )


def test_hpo_service_reaches_fine_tuning_over_grpc(rendered):
    policy = find(rendered["prod"].manifests, "NetworkPolicy", "fine-tuning-service", PROD_NS)
    assert {
        "from": [
            {
                "podSelector": {
                    "matchLabels": {
                        "app.kubernetes.io/name": "hpo-service",
                        "app.kubernetes.io/instance": "hpo-service-prod",
                    }
                }
            }
        ],
        "ports": [{"protocol": "TCP", "port": 9090}],
    } in policy["spec"]["ingress"]


def test_training_egress_reaches_object_storage_on_public_https_only(rendered):
    policy = find(rendered["prod"].manifests, "NetworkPolicy", "model-serving", PROD_NS)
    assert {
        "ports": [{"protocol": "TCP", "port": 443}],
        "to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]}}],
    } in policy["spec"]["egress"]


def test_prod_training_services_have_a_vpa(rendered):
    vpas = {
        m["metadata"]["name"]
        for m in in_namespace(rendered["prod"].manifests, PROD_NS)
        if m["kind"] == "VerticalPodAutoscaler"
    }
    assert vpas == set(TRAINING_SERVICES)


# --- Integrator registry -------------------------------------------------------------------------


def test_registry_declares_the_train_optimise_deploy_workflow(rendered):
    assert registry(rendered)["workflow"] == ["train", "optimise", "deploy"]


def test_registry_workflow_matches_the_released_workflow_config(rendered, environments):
    released = environments["prod"].release.config["fine-tuning-service"]["workflow"]["steps"]
    assert registry(rendered)["workflow"] == released


@pytest.mark.parametrize("stage, jobs", [("prod", 10), ("staging", 4), ("dev", 2)])
def test_registry_capacity_is_the_stages(rendered, stage, jobs):
    content = registry(rendered, stage)
    assert (content["max_concurrent_jobs"], content["gpus_per_job"]) == (jobs, 1)


def test_registry_lists_each_service_endpoint(rendered):
    services = registry(rendered)["services"]
    assert set(services) == set(TRAINING_SERVICES)
    assert services["fine-tuning-service"] == {
        "component": "fine-tuning",
        "endpoint": "http://fine-tuning-service.model-training-prod.svc:8080",
        "grpc": "fine-tuning-service.model-training-prod.svc:9090",
        "api_docs": "http://fine-tuning-service.model-training-prod.svc:8080/openapi.json",
    }


def test_registry_endpoints_are_existing_service_ports(rendered):
    manifests = rendered["prod"].manifests
    for name, entry in registry(rendered)["services"].items():
        ports = {p["port"] for p in find(manifests, "Service", name, PROD_NS)["spec"]["ports"]}
        assert int(entry["endpoint"].rsplit(":", 1)[1]) in ports
        assert int(entry["grpc"].rsplit(":", 1)[1]) in ports


# --- Backups, secrets, alerts --------------------------------------------------------------------


def test_training_databases_are_backed_up_in_the_training_namespace(rendered):
    jobs = {m["metadata"]["name"] for m in in_namespace(rendered["prod"].manifests, PROD_NS) if m["kind"] == "CronJob"}
    assert jobs == {"postgres-backup-finetuning", "postgres-backup-hpo", "postgres-backup-datasets"}


def test_training_alerts_are_in_the_training_namespace(rendered):
    rule = find(rendered["prod"].manifests, "PrometheusRule", "model-training-alerts", PROD_NS)
    alerts = {r["alert"]: r for group in rule["spec"]["groups"] for r in group["rules"]}
    assert set(alerts) == {
        "ServiceDown",
        "SlowResponse",
        "HealthCheckFailing",
        "WorkflowFailureRate",
        "HighMemoryOfLimit",
        "HighApiErrorRate",
    }
    assert {r["labels"]["namespace"] for r in alerts.values()} == {PROD_NS}
    assert alerts["SlowResponse"]["expr"].endswith("> 2")
