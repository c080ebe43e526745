"""Manifests with fields of the wrong type or missing: rules must skip or report them, never crash."""

from __future__ import annotations

ODD = [
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "no-spec", "namespace": "ns"}},
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "null-spec"},
        "spec": {"template": {"spec": None}},
    },
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "str-spec", "namespace": "ns"},
        "spec": {"template": {"metadata": "x", "spec": "not a pod spec"}},
    },
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "odd-lists", "namespace": "ns"},
        "spec": {
            "replicas": "three",
            "template": {
                "spec": {
                    "containers": [
                        "not a container",
                        {
                            "name": "c",
                            "image": 7,
                            "env": "x",
                            "envFrom": [None],
                            "resources": {"requests": "1", "limits": {"cpu": [1], "memory": True}},
                        },
                    ],
                    "initContainers": {"name": "x"},
                    "volumes": [{"name": "v", "secret": "x"}, {"projected": {"sources": "x"}}],
                }
            },
        },
    },
    {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "cj", "namespace": "ns"},
        "spec": {"jobTemplate": None},
    },
    {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cm", "namespace": "ns"},
        "data": {"password": None, "a": 1, "config.yaml": "key: [unclosed", "x.json": "{not json"},
        "binaryData": {"k": "!!"},
    },
    {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cm2", "namespace": "ns"},
        "data": ["not", "a", "map"],
    },
    {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "q", "namespace": "ns"},
        "spec": {"hard": ["x"]},
    },
    {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "q2", "namespace": "ns"},
        "spec": {"hard": {"pods": "lots", "limits.cpu": None}, "scopeSelector": "x"},
    },
    {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "l", "namespace": "ns"},
        "spec": {"limits": [None, {"type": "Container", "max": {"cpu": "a lot"}, "maxLimitRequestRatio": "x"}]},
    },
    {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "l2", "namespace": "ns"}, "spec": "x"},
    {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h", "namespace": "ns"},
        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "odd-lists"}, "maxReplicas": "many"},
    },
    {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": "es", "namespace": "ns"},
        "spec": {"target": {"name": {"x": 1}}, "data": "x"},
    },
    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "ns"}, "data": "x"},
]
