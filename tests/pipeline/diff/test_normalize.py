"""The comparison form: named lists matched by name, quantities compared by value."""

from __future__ import annotations

import copy

import pytest

from pipeline.diff.normalize import normalize
from tests.pipeline.diff import container, diff, fields, only_change, pick, pod_spec


@pytest.fixture
def deployment(rendered):
    return pick(rendered, "prod", "Deployment", "agent-service")


# named lists -------------------------------------------------------------------------------------


def test_named_lists_become_mappings_keyed_by_name_mount_path_or_secret_key(rendered, deployment):
    form = normalize(deployment)
    spec = form["spec"]["template"]["spec"]
    assert list(spec["containers"]) == ["[agent]"]
    agent = spec["containers"]["[agent]"]
    assert list(agent["ports"]) == ["[http]", "[grpc]"]
    assert list(agent["env"])[:4] == ["[CONFIG_DIR]", "[POD_NAME]", "[POD_NAMESPACE]", "[PGHOST]"]
    assert agent["env"]["[PGHOST]"] == {"name": "PGHOST", "value": "postgres.data.svc.cluster.local"}
    assert list(agent["volumeMounts"]) == ["[/etc/agentflow]", "[/tmp]"]
    assert list(spec["volumes"]) == ["[config]", "[tmp]"]
    external = normalize(pick(rendered, "prod", "ExternalSecret", "llm-api-keys"))
    assert list(external["spec"]["data"]) == ["[anthropic-api-key]", "[openai-api-key]"]


def test_normalize_leaves_the_manifest_untouched(deployment):
    before = copy.deepcopy(deployment)
    normalize(deployment)
    assert deployment == before


@pytest.mark.parametrize(
    "reorder",
    [
        pytest.param(lambda d: container(d)["env"].reverse(), id="env"),
        pytest.param(lambda d: container(d)["ports"].reverse(), id="ports"),
        pytest.param(lambda d: container(d)["volumeMounts"].reverse(), id="volumeMounts"),
        pytest.param(lambda d: pod_spec(d)["volumes"].reverse(), id="volumes"),
        pytest.param(lambda d: pod_spec(d)["containers"].reverse(), id="containers"),
    ],
)
def test_reordering_a_named_list_is_no_change(deployment, reorder):
    sidecar = {**copy.deepcopy(container(deployment)), "name": "sidecar"}
    pod_spec(deployment)["containers"].append(sidecar)  # two containers, so their order can change
    reordered = copy.deepcopy(deployment)
    reorder(reordered)
    assert reordered != deployment
    result = diff(deployment, reordered)
    assert result.changes == ()
    assert result.unchanged == 1


def test_reordering_external_secret_data_is_no_change(rendered):
    old = pick(rendered, "prod", "ExternalSecret", "llm-api-keys")
    new = copy.deepcopy(old)
    new["spec"]["data"].reverse()
    assert new != old
    assert diff(old, new).changes == ()


def test_volume_mounts_are_matched_by_mount_path_not_by_volume(deployment):
    # Two mounts of one volume: distinct by mountPath, so still a named list.
    mounts = container(deployment)["volumeMounts"]
    mounts.append({"name": "config", "mountPath": "/etc/agentflow-extra", "readOnly": True})
    new = copy.deepcopy(deployment)
    container(new)["volumeMounts"].reverse()
    container(new)["volumeMounts"][0]["readOnly"] = False  # the /etc/agentflow-extra mount
    change = only_change(deployment, new)
    assert fields(change) == [
        {
            "path": "spec.template.spec.containers[agent].volumeMounts[/etc/agentflow-extra].readOnly",
            "old": "true",
            "new": "false",
        }
    ]


def test_a_renamed_env_var_is_one_removal_and_one_addition_named_by_the_variable(deployment):
    new = copy.deepcopy(deployment)
    env = container(new)["env"]
    env[3]["name"] = "PG_HOST"
    env.append(env.pop(3))  # and moved: the order does not matter
    change = only_change(deployment, new)
    assert fields(change) == [
        {
            "path": "spec.template.spec.containers[agent].env[PGHOST]",
            "old": '{"name": "PGHOST", "value": "postgres.data.svc.cluster.local"}',
            "new": None,
        },
        {
            "path": "spec.template.spec.containers[agent].env[PG_HOST]",
            "old": None,
            "new": '{"name": "PG_HOST", "value": "postgres.data.svc.cluster.local"}',
        },
    ]


def test_a_list_with_duplicate_names_falls_back_to_index_comparison(deployment):
    env = container(deployment)["env"]
    env.append({"name": "LOG_LEVEL", "value": "info"})
    env.append({"name": "LOG_LEVEL", "value": "debug"})  # a duplicate: the last one wins in Kubernetes
    form = normalize(deployment)["spec"]["template"]["spec"]["containers"]["[agent]"]["env"]
    assert isinstance(form, list) and form[-1] == {"name": "LOG_LEVEL", "value": "debug"}
    new = copy.deepcopy(deployment)
    container(new)["env"][-2:] = reversed(container(new)["env"][-2:])
    change = only_change(deployment, new)
    assert fields(change) == [
        {"path": "spec.template.spec.containers[agent].env[11].value", "old": "info", "new": "debug"},
        {"path": "spec.template.spec.containers[agent].env[12].value", "old": "debug", "new": "info"},
    ]


def test_a_list_with_an_item_without_a_name_falls_back_to_index_comparison(deployment):
    ports = container(deployment)["ports"]
    ports.append({"containerPort": 9100, "protocol": "TCP"})  # no name
    assert isinstance(normalize(deployment)["spec"]["template"]["spec"]["containers"]["[agent]"]["ports"], list)
    new = copy.deepcopy(deployment)
    container(new)["ports"].reverse()
    change = only_change(deployment, new)
    assert fields(change) == [
        {"path": "spec.template.spec.containers[agent].ports[0].containerPort", "old": "8080", "new": "9100"},
        {"path": "spec.template.spec.containers[agent].ports[0].name", "old": "http", "new": None},
        {"path": "spec.template.spec.containers[agent].ports[2].containerPort", "old": "9100", "new": "8080"},
        {"path": "spec.template.spec.containers[agent].ports[2].name", "old": None, "new": "http"},
    ]


# quantities --------------------------------------------------------------------------------------


def test_quantities_normalize_to_their_value():
    assert normalize({"limits": {"cpu": "1000m"}}) == normalize({"limits": {"cpu": "1"}})
    assert normalize({"limits": {"memory": "1Gi"}}) == normalize({"limits": {"memory": "1024Mi"}})
    assert normalize({"requests": {"cpu": 0.5}}) == normalize({"requests": {"cpu": "500m"}})
    assert normalize({"requests": {"cpu": 2}}) == normalize({"requests": {"cpu": "2000m"}})
    assert normalize({"limits": {"cpu": "1"}}) != normalize({"limits": {"cpu": "2"}})
    # Only where Kubernetes reads a quantity: elsewhere a string is a string.
    assert normalize({"labels": {"cpu": "1000m"}}) != normalize({"labels": {"cpu": "1"}})
    assert normalize({"limits": {"cpu": "not-a-quantity"}}) == {"limits": {"cpu": "not-a-quantity"}}


@pytest.mark.parametrize(
    ("kind", "name", "edit"),
    [
        pytest.param(
            "Deployment",
            "agent-service",
            lambda m: container(m)["resources"]["limits"].update(cpu="1", memory="2048Mi"),
            id="container-limits",
        ),
        pytest.param(
            "Deployment",
            "agent-service",
            lambda m: container(m)["resources"]["requests"].update(cpu=0.5, memory="1024Mi"),
            id="container-requests",
        ),
        pytest.param(
            "ResourceQuota",
            "quota",
            lambda m: m["spec"]["hard"].update({"limits.cpu": "200000m", "limits.memory": "229376Mi", "pods": 120}),
            id="quota-hard",
        ),
        pytest.param(
            "LimitRange",
            "limits",
            lambda m: m["spec"]["limits"][0]["max"].update(cpu="4000m", memory="8192Mi"),
            id="limit-range",
        ),
        pytest.param(
            "VerticalPodAutoscaler",
            "agent-service",
            lambda m: m["spec"]["resourcePolicy"]["containerPolicies"][0].update(
                minAllowed={"cpu": "0.1", "memory": "131072Ki"}, maxAllowed={"cpu": 4, "memory": "4096Mi"}
            ),
            id="vpa-min-max",
        ),
        pytest.param(
            "PersistentVolumeClaim",
            "postgres-backup-agents",
            lambda m: m["spec"]["resources"]["requests"].update(storage="512000Mi"),
            id="pvc-storage",
        ),
        pytest.param(
            "Deployment",
            "agent-service",
            lambda m: pod_spec(m)["volumes"][1]["emptyDir"].update(sizeLimit="262144Ki"),
            id="emptydir-size-limit",
        ),
    ],
)
def test_a_quantity_written_differently_is_no_change(rendered, kind, name, edit):
    old = pick(rendered, "prod", kind, name, "agent-platform-prod")
    new = copy.deepcopy(old)
    edit(new)
    assert new != old
    result = diff(old, new)
    assert result.changes == ()
    assert result.unchanged == 1


def test_a_real_quantity_change_shows_the_original_strings(deployment):
    new = copy.deepcopy(deployment)
    container(new)["resources"]["requests"]["cpu"] = "1"
    container(new)["resources"]["limits"]["memory"] = "3072Mi"
    change = only_change(deployment, new)
    assert fields(change) == [
        {"path": "spec.template.spec.containers[agent].resources.limits.memory", "old": "2Gi", "new": "3072Mi"},
        {"path": "spec.template.spec.containers[agent].resources.requests.cpu", "old": "500m", "new": "1"},
    ]
