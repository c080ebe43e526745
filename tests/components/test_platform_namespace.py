"""PlatformNamespace: Pod Security labels, quota, limits and default deny, asserted by value."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from kube.quantity import parse_quantity
from tests.conftest import STAGES, find

NAMESPACES = [(stage, f"{family}-{stage}") for stage in STAGES for family in ("agent-platform", "model-training")]
NAMESPACE_IDS = [ns for _, ns in NAMESPACES]
QUOTA_KEYS = ("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")


def in_namespace(manifests, namespace: str) -> list[dict]:
    return [m for m in manifests if m["metadata"].get("namespace") == namespace]


def workload_pods(manifests, namespace: str) -> list[tuple[str, int, dict]]:
    """(name, most pods at once, pod spec) of every workload of the namespace.

    A Deployment runs at most its HPA maximum (or its fixed replicas); a CronJob with
    concurrencyPolicy Forbid runs at most one pod.
    """
    objects = in_namespace(manifests, namespace)
    hpa_max = {
        m["spec"]["scaleTargetRef"]["name"]: m["spec"]["maxReplicas"]
        for m in objects
        if m["kind"] == "HorizontalPodAutoscaler"
    }
    out = []
    for m in objects:
        if m["kind"] == "Deployment":
            name = m["metadata"]["name"]
            out.append((name, hpa_max.get(name, m["spec"].get("replicas", 1)), m["spec"]["template"]["spec"]))
        elif m["kind"] == "CronJob":
            assert m["spec"]["concurrencyPolicy"] == "Forbid"
            out.append((m["metadata"]["name"], 1, m["spec"]["jobTemplate"]["spec"]["template"]["spec"]))
    return out


def peak_usage(manifests, namespace: str) -> dict[str, Decimal]:
    """Every workload at its maximum: summed requests and limits, and the pod count."""
    total: dict[str, Decimal] = defaultdict(Decimal)
    for _, count, spec in workload_pods(manifests, namespace):
        total["pods"] += count
        for c in spec["containers"]:
            for kind in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    total[f"{kind}.{resource}"] += count * parse_quantity(c["resources"][kind][resource])
    return total


# --- Namespace -----------------------------------------------------------------------------------


@pytest.mark.parametrize("stage, namespace", NAMESPACES, ids=NAMESPACE_IDS)
def test_pod_security_restricted_in_all_three_modes(rendered, stage, namespace):
    labels = find(rendered[stage].manifests, "Namespace", namespace)["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == "latest"


@pytest.mark.parametrize("stage", STAGES)
def test_namespace_name_follows_the_stage(rendered, environments, stage):
    names = {m["metadata"]["name"] for m in rendered[stage].manifests if m["kind"] == "Namespace"}
    tenants = {f"tenant-{t.name}-{stage}" for t in environments[stage].tenants}
    assert tenants and names == {f"agent-platform-{stage}", f"model-training-{stage}"} | tenants


def test_namespace_is_cluster_scoped(rendered):
    assert "namespace" not in find(rendered["prod"].manifests, "Namespace", "agent-platform-prod")["metadata"]


# --- ResourceQuota -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stage, hard",
    [
        (
            "prod",
            {
                "requests.cpu": "64",
                "requests.memory": "80Gi",
                "limits.cpu": "200",
                "limits.memory": "224Gi",
                "pods": "120",
                "services": "20",
                "persistentvolumeclaims": "20",
                "requests.storage": "4Ti",
            },
        ),
        (
            "staging",
            {
                "requests.cpu": "16",
                "requests.memory": "24Gi",
                "limits.cpu": "48",
                "limits.memory": "64Gi",
                "pods": "60",
                "services": "20",
                "persistentvolumeclaims": "10",
                "requests.storage": "200Gi",
            },
        ),
        (
            "dev",
            {
                "requests.cpu": "4",
                "requests.memory": "8Gi",
                "limits.cpu": "16",
                "limits.memory": "24Gi",
                "pods": "40",
                "services": "20",
                "persistentvolumeclaims": "10",
                "requests.storage": "100Gi",
            },
        ),
    ],
)
def test_agent_namespace_quota_is_the_stage_files(rendered, stage, hard):
    quota = find(rendered[stage].manifests, "ResourceQuota", "quota", f"agent-platform-{stage}")
    assert quota["spec"] == {"hard": hard}


def test_prod_quota_fits_every_service_at_its_hpa_maximum(rendered):
    """Section 8: quota headroom for the HPA maxima (sum over services of maxReplicas x requests/limits)."""
    manifests = rendered["prod"].manifests
    hard = find(manifests, "ResourceQuota", "quota", "agent-platform-prod")["spec"]["hard"]
    services = [
        (name, count, spec)
        for name, count, spec in workload_pods(manifests, "agent-platform-prod")
        if not name.startswith("postgres-backup-")
    ]
    assert len(services) == 7
    for key in QUOTA_KEYS:
        kind, resource = key.split(".")
        needed = sum(
            count * parse_quantity(c["resources"][kind][resource])
            for _, count, spec in services
            for c in spec["containers"]
        )
        assert needed <= parse_quantity(hard[key]), f"{key}: {needed} > {hard[key]}"
    assert sum(count for _, count, _ in services) <= int(hard["pods"])


def test_prod_hpa_maximum_requests_are_the_expected_sum(rendered):
    """The arithmetic behind the quota: 47 CPUs and 57 GiB requested at the HPA maxima, 94 pods."""
    services = [
        (count, spec)
        for name, count, spec in workload_pods(rendered["prod"].manifests, "agent-platform-prod")
        if not name.startswith("postgres-backup-")
    ]
    cpu = sum(count * parse_quantity(spec["containers"][0]["resources"]["requests"]["cpu"]) for count, spec in services)
    memory = sum(
        count * parse_quantity(spec["containers"][0]["resources"]["requests"]["memory"]) for count, spec in services
    )
    assert cpu == 47
    assert memory == 57 * 2**30
    assert sum(count for count, _ in services) == 94


@pytest.mark.parametrize("stage", STAGES)
def test_agent_quota_fits_hpa_maxima_plus_the_backup_jobs(rendered, stage):
    namespace = f"agent-platform-{stage}"
    hard = find(rendered[stage].manifests, "ResourceQuota", "quota", namespace)["spec"]["hard"]
    usage = peak_usage(rendered[stage].manifests, namespace)
    over = {key: (usage[key], hard[key]) for key in (*QUOTA_KEYS, "pods") if usage[key] > parse_quantity(hard[key])}
    assert over == {}


@pytest.mark.parametrize("stage", STAGES)
def test_quota_admits_every_service_object(rendered, stage):
    namespace = f"agent-platform-{stage}"
    hard = find(rendered[stage].manifests, "ResourceQuota", "quota", namespace)["spec"]["hard"]
    services = [m for m in in_namespace(rendered[stage].manifests, namespace) if m["kind"] == "Service"]
    assert len(services) <= int(hard["services"])


# --- LimitRange ----------------------------------------------------------------------------------


@pytest.mark.parametrize("stage, ratio_cpu", [("prod", "4"), ("staging", "10"), ("dev", "10")])
def test_agent_namespace_limit_range(rendered, stage, ratio_cpu):
    limit_range = find(rendered[stage].manifests, "LimitRange", "limits", f"agent-platform-{stage}")
    assert limit_range["spec"] == {
        "limits": [
            {
                "type": "Container",
                "default": {"cpu": "500m", "memory": "512Mi"},
                "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                "max": {"cpu": "4", "memory": "8Gi"},
                "maxLimitRequestRatio": {"cpu": ratio_cpu, "memory": "4"},
            }
        ]
    }


def test_limit_range_default_request_does_not_exceed_default_limit(rendered):
    (limits,) = find(rendered["prod"].manifests, "LimitRange", "limits", "agent-platform-prod")["spec"]["limits"]
    for resource in ("cpu", "memory"):
        assert parse_quantity(limits["defaultRequest"][resource]) <= parse_quantity(limits["default"][resource])


@pytest.mark.parametrize("stage, namespace", NAMESPACES, ids=NAMESPACE_IDS)
def test_every_deployment_container_fits_the_limit_range(rendered, stage, namespace):
    """The LimitRange admits the services' own pods: under max, within maxLimitRequestRatio."""
    (limits,) = find(rendered[stage].manifests, "LimitRange", "limits", namespace)["spec"]["limits"]
    deployments = [m for m in in_namespace(rendered[stage].manifests, namespace) if m["kind"] == "Deployment"]
    assert deployments
    rejected = []
    for deployment in deployments:
        for c in deployment["spec"]["template"]["spec"]["containers"]:
            for resource in ("cpu", "memory"):
                request = parse_quantity(c["resources"]["requests"][resource])
                limit = parse_quantity(c["resources"]["limits"][resource])
                if limit > parse_quantity(limits["max"][resource]) or limit / request > parse_quantity(
                    limits["maxLimitRequestRatio"][resource]
                ):
                    rejected.append((deployment["metadata"]["name"], resource))
    assert rejected == []


# --- NetworkPolicies -----------------------------------------------------------------------------


@pytest.mark.parametrize("stage, namespace", NAMESPACES, ids=NAMESPACE_IDS)
def test_default_deny_selects_every_pod_in_both_directions_with_no_rules(rendered, stage, namespace):
    policy = find(rendered[stage].manifests, "NetworkPolicy", "default-deny", namespace)
    assert policy["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [], "egress": []}


@pytest.mark.parametrize("stage, namespace", NAMESPACES, ids=NAMESPACE_IDS)
def test_allow_dns_lets_every_pod_reach_kube_dns_only(rendered, stage, namespace):
    policy = find(rendered[stage].manifests, "NetworkPolicy", "allow-dns", namespace)
    assert policy["spec"] == {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [
            {
                "to": [
                    {
                        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                    }
                ],
                "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
            }
        ],
    }


@pytest.mark.parametrize("stage, namespace", NAMESPACES, ids=NAMESPACE_IDS)
def test_every_workload_is_selected_by_an_explicit_policy(rendered, stage, namespace):
    objects = in_namespace(rendered[stage].manifests, namespace)
    selectors = [
        m["spec"]["podSelector"].get("matchLabels", {})
        for m in objects
        if m["kind"] == "NetworkPolicy" and m["spec"]["podSelector"]
    ]
    unselected = []
    for m in objects:
        if m["kind"] == "Deployment":
            labels = m["spec"]["template"]["metadata"]["labels"]
        elif m["kind"] == "CronJob":
            labels = m["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
        else:
            continue
        if not any(selector.items() <= labels.items() for selector in selectors):
            unselected.append(m["metadata"]["name"])
    assert unselected == []
