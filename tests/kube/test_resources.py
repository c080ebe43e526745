"""kube/resources.py: requests and limits per container, per pod and per workload, as the cluster counts them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kube.quantity import InvalidQuantity
from kube.resources import (
    Resources,
    autoscaler_of,
    container_limit_items,
    containers_of,
    declared,
    effective,
    format_quantity,
    item_defaults,
    most_pods,
    namespace_or_default,
    pod_of,
    pod_resources,
    quantity,
    unscoped_quota,
    written,
)

GI = 1024**3
MI = 1024**2


def container(name="c", requests=None, limits=None, **extra):
    resources = {}
    if requests is not None:
        resources["requests"] = requests
    if limits is not None:
        resources["limits"] = limits
    return {"name": name, "image": "x:1", "resources": resources, **extra}


def deployment(name="app", namespace="ns", replicas=None, **pod):
    spec = {"template": {"metadata": {"labels": {"app": name}}, "spec": pod}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def hpa(target, maximum, namespace="ns", kind="Deployment"):
    return {
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": target, "namespace": namespace},
        "spec": {"scaleTargetRef": {"kind": kind, "name": target}, "maxReplicas": maximum},
    }


@pytest.mark.parametrize(
    "value, expected",
    [("500m", Decimal("0.5")), (2, Decimal(2)), (2.0, Decimal(2)), (0.25, Decimal("0.25")), ("1Gi", Decimal(GI))],
)
def test_quantity_takes_strings_and_pulumi_numbers(value, expected):
    assert quantity(value) == expected


@pytest.mark.parametrize("value", [True, None, [1], "512MB", "1K"])
def test_quantity_rejects_what_the_api_rejects(value):
    with pytest.raises(InvalidQuantity):
        quantity(value)


@pytest.mark.parametrize("value, shown", [("500m", "500m"), (2.0, "2"), (0.5, "0.5"), (True, "true")])
def test_written_shows_values_as_yaml_does(value, shown):
    assert written(value) == shown


@pytest.mark.parametrize(
    "value, resource, shown",
    [
        (Decimal(214), "cpu", "214"),
        (Decimal("48.5"), "cpu", "48.5"),
        (Decimal("0.5"), "cpu", "500m"),
        (Decimal(2 * GI), "memory", "2Gi"),
        (Decimal(1536 * MI), "memory", "1.5Gi"),
        (Decimal(768 * MI), "memory", "768Mi"),
        (Decimal(10**9), "memory", "1G"),
        (Decimal(1023), "memory", "1023"),
        (Decimal(4), "nvidia.com/gpu", "4"),
        (Decimal(0), "memory", "0"),
    ],
)
def test_format_quantity(value, resource, shown):
    assert format_quantity(value, resource) == shown


def test_declared_skips_values_that_are_not_quantities():
    found = declared(container(requests={"cpu": "500m", "memory": "512MB"}, limits={"cpu": 1}))
    assert found.requests == {"cpu": Decimal("0.5")} and found.limits == {"cpu": Decimal(1)}
    assert declared({"resources": "x"}) == Resources()


def test_limit_range_defaults_after_api_defaulting():
    # Default limit from max, default request from the default limit, else from min.
    item = {
        "type": "Container",
        "max": {"cpu": "4", "memory": "8Gi"},
        "default": {"memory": "1Gi"},
        "min": {"ephemeral-storage": "1Gi"},
    }
    defaults = item_defaults(item)
    assert defaults.limits == {"cpu": Decimal(4), "memory": Decimal(GI)}
    assert defaults.requests == {"cpu": Decimal(4), "memory": Decimal(GI), "ephemeral-storage": Decimal(GI)}


def test_effective_request_defaults_to_limit_before_the_limit_range():
    items = [
        {
            "type": "Container",
            "default": {"cpu": "1", "memory": "1Gi"},
            "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
        }
    ]
    found = effective(container(limits={"cpu": "2"}, requests={"memory": "256Mi"}), items)
    assert found.requests == {"cpu": Decimal(2), "memory": Decimal(256 * MI)}
    assert found.limits == {"cpu": Decimal(2), "memory": Decimal(GI)}


def test_container_limit_items_keeps_container_items_in_order():
    ranges = [
        {"spec": {"limits": [{"type": "Pod"}, {"type": "Container", "max": {"cpu": "1"}}, None]}},
        {"spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}}]}},
        {"spec": None},
    ]
    assert [i["max"]["cpu"] for i in container_limit_items(ranges)] == ["1", "2"]


def test_pod_resources_sum_containers_or_take_the_largest_init_container():
    pod = {
        "initContainers": [container("big-init", requests={"cpu": "3"}, limits={"cpu": "3", "memory": "64Mi"})],
        "containers": [
            container("a", requests={"cpu": "1", "memory": "1Gi"}, limits={"cpu": "1", "memory": "1Gi"}),
            container("b", requests={"cpu": "500m", "memory": "1Gi"}, limits={"cpu": "2", "memory": "1Gi"}),
        ],
    }
    found = pod_resources(pod)
    assert found.requests == {"cpu": Decimal(3), "memory": Decimal(2 * GI)}
    assert found.limits == {"cpu": Decimal(3), "memory": Decimal(2 * GI)}


def test_pod_resources_count_sidecars_beside_the_containers_and_later_init_containers():
    pod = {
        "initContainers": [
            container("proxy", requests={"cpu": "1"}, restartPolicy="Always"),
            container("migrate", requests={"cpu": "2"}),
        ],
        "containers": [container("app", requests={"cpu": "500m"})],
    }
    # max(app 0.5 + proxy 1, migrate 2 + proxy 1) = 3
    assert pod_resources(pod).requests == {"cpu": Decimal(3)}


def test_pod_resources_apply_limit_range_defaults():
    items = [{"type": "Container", "default": {"cpu": "1"}, "defaultRequest": {"cpu": "250m"}}]
    found = pod_resources({"containers": [{"name": "a"}, {"name": "b"}]}, items)
    assert found.requests == {"cpu": Decimal("0.5")} and found.limits == {"cpu": Decimal(2)}


def test_most_pods_of_each_kind():
    hpas = [hpa("web", 20.0), hpa("other-ns", 50, namespace="elsewhere"), hpa("db", 7, kind="StatefulSet")]
    assert most_pods(deployment("web", replicas=3), hpas) == 20
    assert most_pods(deployment("plain", replicas=4.0), hpas) == 4
    assert most_pods(deployment("default-one"), hpas) == 1
    assert most_pods(deployment("other-ns"), hpas) == 1
    assert most_pods({"kind": "StatefulSet", "metadata": {"name": "db", "namespace": "ns"}, "spec": {}}, hpas) == 7
    assert most_pods({"kind": "Job", "spec": {"parallelism": 4, "completions": 2}}) == 2
    assert most_pods({"kind": "Job", "spec": {}}) == 1
    assert most_pods({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"parallelism": 3}}}}) == 3
    assert most_pods({"kind": "CronJob", "spec": {"jobTemplate": None}}) == 1
    assert most_pods({"kind": "Pod"}) == 1
    assert most_pods({"kind": "PodTemplate"}) == 0
    assert most_pods({"kind": "DaemonSet"}) is None


def test_autoscaler_of_matches_kind_name_and_namespace():
    web = deployment("web")
    assert autoscaler_of(web, [hpa("web", 3, kind="StatefulSet"), hpa("web", 3, namespace="x")]) is None
    assert autoscaler_of(web, [hpa("web", 5)])["spec"]["maxReplicas"] == 5


def test_pod_of_and_containers_of_tolerate_odd_manifests():
    assert pod_of({"kind": "Deployment", "spec": {"template": {"spec": "x"}}}) is None
    assert pod_of({"kind": "ConfigMap"}) is None and pod_of(None) is None
    template = pod_of(deployment(containers=["x", {"name": "ok"}], initContainers={"name": "i"}))
    assert [(c.path, c.name) for c in containers_of(template)] == [
        ("spec.template.spec.containers[0]", ""),
        ("spec.template.spec.containers[ok]", "ok"),
    ]
    assert containers_of(template, ("initContainers",)) == []


def test_unscoped_quota_and_namespace_or_default():
    assert unscoped_quota({"spec": {"hard": {"pods": "1"}}})
    assert not unscoped_quota({"spec": {"scopes": ["BestEffort"]}})
    assert not unscoped_quota({"spec": {"scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass"}]}}})
    assert namespace_or_default({"metadata": {"name": "x"}}) == "default"
    assert namespace_or_default({"metadata": {"namespace": "ns"}}) == "ns"
