"""Identity and rollout class of each change: create, update, restart, replace, delete."""

from __future__ import annotations

import copy

import pytest

from pipeline.diff.classify import classify
from pipeline.diff.model import RolloutClass
from pipeline.reports.preview_text import field_line
from tests.pipeline.diff import container, diff, fields, only_change, pick, pod_spec

NS = "agent-platform-prod"


@pytest.fixture
def deployment(rendered):
    return pick(rendered, "prod", "Deployment", "agent-service")


def rollout(change) -> tuple[RolloutClass, tuple[str, ...]]:
    return change.rollout, change.reasons


# identity ----------------------------------------------------------------------------------------


def test_an_api_version_change_within_a_group_is_an_update(rendered):
    new = pick(rendered, "prod", "HorizontalPodAutoscaler", "agent-service")
    old = copy.deepcopy(new)
    old["apiVersion"] = "autoscaling/v2beta2"
    change = only_change(old, new)
    assert rollout(change) == (RolloutClass.UPDATE, ())
    assert change.title == f"HorizontalPodAutoscaler {NS}/agent-service"
    assert fields(change) == [{"path": "apiVersion", "old": "autoscaling/v2beta2", "new": "autoscaling/v2"}]


def test_a_namespace_change_is_a_delete_and_a_create(rendered):
    old = pick(rendered, "prod", "HorizontalPodAutoscaler", "agent-service")
    new = copy.deepcopy(old)
    new["metadata"]["namespace"] = "agent-platform-next"
    result = diff(old, new)
    assert [(c.rollout, c.title, c.changes) for c in result.changes] == [
        (RolloutClass.CREATE, "HorizontalPodAutoscaler agent-platform-next/agent-service", ()),
        (RolloutClass.DELETE, f"HorizontalPodAutoscaler {NS}/agent-service", ()),
    ]
    assert result.counts == {"create": 1, "update": 0, "restart": 0, "replace": 0, "delete": 1}


def test_created_and_deleted_resources(rendered, deployment):
    service = pick(rendered, "prod", "Service", "agent-service")
    result = diff([deployment], [service])
    assert [(c.rollout, c.title) for c in result.changes] == [
        (RolloutClass.CREATE, f"Service {NS}/agent-service"),
        (RolloutClass.DELETE, f"Deployment {NS}/agent-service"),
    ]
    assert result.unchanged == 0
    assert RolloutClass.DELETE.disruptive and RolloutClass.REPLACE.disruptive
    assert not RolloutClass.CREATE.disruptive and not RolloutClass.RESTART.disruptive


# workloads ---------------------------------------------------------------------------------------


def test_an_image_bump_is_a_rolling_restart_and_reads_as_versions(rendered, deployment):
    new = copy.deepcopy(deployment)
    container(new)["image"] = container(pick(rendered, "dev", "Deployment", "agent-service"))["image"]
    change = only_change(deployment, new)
    assert rollout(change) == (RolloutClass.RESTART, ("the pod template changed",))
    assert [field_line(change, f) for f in change.changes] == [
        f"Deployment {NS}/agent-service  spec.template.spec.containers[agent].image  "
        "1.4.2@sha256:707a54d1a09f -> 1.5.0@sha256:817bd2cd5088"
    ]


def test_an_image_of_another_repository_reads_in_full(deployment):
    new = copy.deepcopy(deployment)
    old_image = container(deployment)["image"]
    container(new)["image"] = "registry.agentflow.example.com/agentflow/agent-service-next:1.5.0"
    change = only_change(deployment, new)
    assert fields(change) == [
        {
            "path": "spec.template.spec.containers[agent].image",
            "old": old_image,
            "new": "registry.agentflow.example.com/agentflow/agent-service-next:1.5.0",
        }
    ]


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(
            lambda d: d["spec"]["template"]["metadata"]["annotations"].update({"example.com/rollout": "2"}),
            id="pod-annotation",
        ),
        pytest.param(lambda d: container(d)["env"][0].update(value="/etc/agentflow-next"), id="env-value"),
        pytest.param(lambda d: container(d)["env"].append({"name": "LOG_LEVEL", "value": "debug"}), id="env-added"),
        pytest.param(lambda d: container(d)["resources"]["limits"].update(memory="3Gi"), id="resources"),
    ],
)
def test_a_pod_template_change_is_a_rolling_restart(deployment, edit):
    new = copy.deepcopy(deployment)
    edit(new)
    assert rollout(only_change(deployment, new)) == (RolloutClass.RESTART, ("the pod template changed",))


def test_a_deployment_change_outside_the_pod_template_is_an_update(deployment):
    new = copy.deepcopy(deployment)
    new["spec"]["revisionHistoryLimit"] = 5
    new["metadata"]["labels"]["example.com/team"] = "agents"
    assert rollout(only_change(deployment, new)) == (RolloutClass.UPDATE, ())


def test_a_deployment_selector_change_is_a_replacement_naming_the_field(deployment):
    new = copy.deepcopy(deployment)
    new["spec"]["selector"]["matchLabels"]["app.kubernetes.io/instance"] = "agent-service-blue"
    new["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/instance"] = "agent-service-blue"
    change = only_change(deployment, new)
    assert rollout(change) == (
        RolloutClass.REPLACE,
        ("spec.selector.matchLabels['app.kubernetes.io/instance'] is immutable",),
    )


def _stateful_set(deployment, pvc):
    stateful = copy.deepcopy(deployment)
    stateful["apiVersion"], stateful["kind"] = "apps/v1", "StatefulSet"
    del stateful["spec"]["strategy"]
    stateful["spec"]["serviceName"] = "agent-service"
    claim = copy.deepcopy(pvc)
    claim["metadata"] = {"name": "data"}
    stateful["spec"]["volumeClaimTemplates"] = [claim]
    return stateful


def test_a_stateful_set_volume_claim_template_change_is_a_replacement(rendered, deployment):
    old = _stateful_set(deployment, pick(rendered, "prod", "PersistentVolumeClaim", "postgres-backup-agents"))
    new = copy.deepcopy(old)
    new["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] = "600Gi"
    change = only_change(old, new)
    assert rollout(change) == (
        RolloutClass.REPLACE,
        ("spec.volumeClaimTemplates[0].spec.resources.requests.storage is immutable",),
    )
    # ... while its pod template alone is a rolling restart, as for a Deployment.
    newer = copy.deepcopy(old)
    container(newer)["env"][0]["value"] = "/etc/next"
    assert rollout(only_change(old, newer)) == (RolloutClass.RESTART, ("the pod template changed",))


def _job(cron_job):
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "restore-agents", "namespace": NS},
        "spec": copy.deepcopy(cron_job["spec"]["jobTemplate"]["spec"]),
    }


def test_a_job_template_change_is_a_replacement_and_its_other_fields_an_update(rendered):
    old = _job(pick(rendered, "prod", "CronJob", "postgres-backup-agents"))
    new = copy.deepcopy(old)
    container(new)["resources"]["limits"]["memory"] = "2Gi"
    assert rollout(only_change(old, new)) == (
        RolloutClass.REPLACE,
        ("spec.template.spec.containers[pg-dump].resources.limits.memory is immutable",),
    )
    other = copy.deepcopy(old)
    other["spec"]["backoffLimit"] = 4
    assert rollout(only_change(old, other)) == (RolloutClass.UPDATE, ())


def test_a_cron_job_template_change_is_an_update(rendered):
    old = pick(rendered, "prod", "CronJob", "postgres-backup-agents")
    new = copy.deepcopy(old)
    pod_spec(new)["containers"][0]["resources"]["limits"]["memory"] = "2Gi"
    new["spec"]["schedule"] = "*/15 * * * *"
    change = only_change(old, new)
    assert rollout(change) == (RolloutClass.UPDATE, ())
    assert [f["path"] for f in fields(change)] == [
        "spec.jobTemplate.spec.template.spec.containers[pg-dump].resources.limits.memory",
        "spec.schedule",
    ]


# services ----------------------------------------------------------------------------------------


@pytest.fixture
def service(rendered):
    return pick(rendered, "prod", "Service", "agent-service")


def test_a_service_cluster_ip_change_is_a_replacement(service):
    old = copy.deepcopy(service)
    old["spec"]["clusterIP"] = "10.96.0.10"
    new = copy.deepcopy(service)
    new["spec"]["clusterIP"] = "10.96.0.11"
    assert rollout(only_change(old, new)) == (RolloutClass.REPLACE, ("spec.clusterIP is immutable",))


def test_a_service_type_change_to_and_from_external_name_is_a_replacement(service):
    external = copy.deepcopy(service)
    external["spec"] = {"type": "ExternalName", "externalName": "agents.example.com"}
    assert rollout(only_change(service, external)) == (
        RolloutClass.REPLACE,
        ("spec.type ClusterIP -> ExternalName crosses ExternalName",),
    )
    assert rollout(only_change(external, service)) == (
        RolloutClass.REPLACE,
        ("spec.type ExternalName -> ClusterIP crosses ExternalName",),
    )
    untyped = copy.deepcopy(service)
    del untyped["spec"]["type"]  # ClusterIP by default
    assert rollout(only_change(untyped, external)) == (
        RolloutClass.REPLACE,
        ("spec.type ClusterIP -> ExternalName crosses ExternalName",),
    )


def test_a_service_type_change_between_ip_types_is_an_update(service):
    node_port = copy.deepcopy(service)
    node_port["spec"]["type"] = "NodePort"
    assert rollout(only_change(service, node_port)) == (RolloutClass.UPDATE, ())


# storage, config, RBAC, autoscaling --------------------------------------------------------------


@pytest.fixture
def claim(rendered):
    return pick(rendered, "prod", "PersistentVolumeClaim", "postgres-backup-agents")


def test_a_claim_storage_class_change_is_a_replacement(claim):
    new = copy.deepcopy(claim)
    new["spec"]["storageClassName"] = "fast-ssd"
    assert rollout(only_change(claim, new)) == (RolloutClass.REPLACE, ("spec.storageClassName is immutable",))


def test_a_claim_shrink_is_a_replacement_and_growth_an_update(claim):
    smaller = copy.deepcopy(claim)
    smaller["spec"]["resources"]["requests"]["storage"] = "400Gi"
    assert rollout(only_change(claim, smaller)) == (
        RolloutClass.REPLACE,
        ("spec.resources.requests.storage shrinks (a claim can only grow)",),
    )
    larger = copy.deepcopy(claim)
    larger["spec"]["resources"]["requests"]["storage"] = "1Ti"
    change = only_change(claim, larger)
    assert rollout(change) == (RolloutClass.UPDATE, ())
    assert fields(change) == [{"path": "spec.resources.requests.storage", "old": "500Gi", "new": "1Ti"}]


def test_an_immutable_config_map_data_change_is_a_replacement(rendered):
    mutable = pick(rendered, "prod", "ConfigMap", "agent-service-config")
    changed = copy.deepcopy(mutable)
    changed["data"]["config.yaml"] = changed["data"]["config.yaml"].replace("temperature: 0.7", "temperature: 0.5")
    assert rollout(only_change(mutable, changed)) == (RolloutClass.UPDATE, ())
    immutable, immutable_changed = copy.deepcopy(mutable), copy.deepcopy(changed)
    immutable["immutable"] = immutable_changed["immutable"] = True
    assert rollout(only_change(immutable, immutable_changed)) == (
        RolloutClass.REPLACE,
        ("the data of an immutable object changed",),
    )
    relabelled = copy.deepcopy(immutable)
    relabelled["metadata"]["labels"]["example.com/owner"] = "agents"
    assert rollout(only_change(immutable, relabelled)) == (RolloutClass.UPDATE, ())


def test_a_role_binding_role_ref_change_is_a_replacement(rendered):
    old = pick(rendered, "prod", "RoleBinding", "monitoring-service")
    new = copy.deepcopy(old)
    new["roleRef"]["name"] = "monitoring-service-reader"
    assert rollout(only_change(old, new)) == (RolloutClass.REPLACE, ("roleRef.name is immutable",))
    subjects = copy.deepcopy(old)
    subjects["subjects"][0]["name"] = "monitoring-agent"
    assert rollout(only_change(old, subjects)) == (RolloutClass.UPDATE, ())


def test_an_hpa_max_replicas_change_is_an_update(rendered):
    old = pick(rendered, "prod", "HorizontalPodAutoscaler", "agent-service")
    new = copy.deepcopy(old)
    new["spec"]["maxReplicas"] = 30
    change = only_change(old, new)
    assert rollout(change) == (RolloutClass.UPDATE, ())
    assert fields(change) == [{"path": "spec.maxReplicas", "old": "20", "new": "30"}]


def test_classify_takes_the_first_immutable_reason_once_per_path():
    old = {"spec": {"selector": {"matchLabels": {"a": "1"}}, "template": {"metadata": {"labels": {"a": "1"}}}}}
    new = {"spec": {"selector": {"matchLabels": {"a": "2"}}, "template": {"metadata": {"labels": {"a": "2"}}}}}
    changed = [
        ["spec", "selector", "matchLabels", "a"],
        ["spec", "template", "metadata", "labels", "a"],
    ]
    assert classify("DaemonSet", changed, old, new) == (
        RolloutClass.REPLACE,
        ("spec.selector.matchLabels.a is immutable",),
    )
    assert classify("DaemonSet", changed[1:], old, new) == (RolloutClass.RESTART, ("the pod template changed",))
    assert classify("ConfigMap", changed[1:], old, new) == (RolloutClass.UPDATE, ())


def test_unsetting_immutable_on_a_config_map_is_a_replacement(rendered):
    old = pick(rendered, "prod", "ConfigMap", "agent-service-config")
    old["immutable"] = True
    new = copy.deepcopy(old)
    new["immutable"] = False
    assert only_change(old, new).rollout is RolloutClass.REPLACE
