"""Recommended labels on every rendered object of every stage; selectors that survive a release."""

from __future__ import annotations

import re

import pytest

from kube.tenancy import TENANT_LABEL
from tests.conftest import STAGES

RECOMMENDED = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/version",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
)
VERSION = "app.kubernetes.io/version"
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def title(m: dict) -> str:
    return f"{m['kind']} {m['metadata'].get('namespace', '')}/{m['metadata']['name']}"


def pod_templates(m: dict) -> list[dict]:
    """The object metadata of every template inside a workload (CronJob: the Job's and the pod's)."""
    if m["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return [m["spec"]["template"]["metadata"]]
    if m["kind"] == "CronJob":
        job = m["spec"]["jobTemplate"]
        return [job["metadata"], job["spec"]["template"]["metadata"]]
    return []


def selectors(m: dict) -> list[dict]:
    """Every label selector (matchLabels or a Service's selector) an object carries."""
    spec = m.get("spec", {})
    out = []
    if m["kind"] == "Service":
        out.append(spec.get("selector", {}))
    if m["kind"] in ("Deployment", "PodDisruptionBudget", "ServiceMonitor"):
        out.append(spec["selector"].get("matchLabels", {}))
    if m["kind"] == "NetworkPolicy":
        out.append(spec["podSelector"].get("matchLabels", {}))
        for rule in spec.get("ingress", []):
            out += [
                peer["podSelector"].get("matchLabels", {}) for peer in rule.get("from", []) if "podSelector" in peer
            ]
        for rule in spec.get("egress", []):
            out += [peer["podSelector"].get("matchLabels", {}) for peer in rule.get("to", []) if "podSelector" in peer]
    if m["kind"] == "Deployment":
        pod = spec["template"]["spec"]
        anti = pod.get("affinity", {}).get("podAntiAffinity", {})
        out += [
            t["labelSelector"]["matchLabels"] for t in anti.get("requiredDuringSchedulingIgnoredDuringExecution", [])
        ]
        out += [
            t["podAffinityTerm"]["labelSelector"]["matchLabels"]
            for t in anti.get("preferredDuringSchedulingIgnoredDuringExecution", [])
        ]
        out += [c["labelSelector"]["matchLabels"] for c in pod.get("topologySpreadConstraints", [])]
    return out


@pytest.mark.parametrize("stage", STAGES)
def test_every_object_carries_all_six_recommended_labels(rendered, stage):
    missing = {
        title(m): sorted(set(RECOMMENDED) - set(m["metadata"].get("labels", {}))) for m in rendered[stage].manifests
    }
    assert {name: keys for name, keys in missing.items() if keys} == {}


@pytest.mark.parametrize("stage", STAGES)
def test_every_pod_template_carries_all_six_recommended_labels(rendered, stage):
    missing = []
    for m in rendered[stage].manifests:
        for template in pod_templates(m):
            absent = set(RECOMMENDED) - set(template.get("labels", {}))
            if absent:
                missing.append((title(m), sorted(absent)))
    assert missing == []


@pytest.mark.parametrize("stage", STAGES)
def test_recommended_label_values_are_valid_and_non_empty(rendered, stage):
    bad = [
        (title(m), key, m["metadata"]["labels"][key])
        for m in rendered[stage].manifests
        for key in RECOMMENDED
        if not m["metadata"]["labels"][key]
        or len(m["metadata"]["labels"][key]) > 63
        or not LABEL_VALUE.match(m["metadata"]["labels"][key])
    ]
    assert bad == []


@pytest.mark.parametrize("stage", STAGES)
def test_managed_by_pulumi_and_instance_names_the_stage(rendered, stage):
    for m in rendered[stage].manifests:
        labels = m["metadata"]["labels"]
        assert labels["app.kubernetes.io/managed-by"] == "pulumi", title(m)
        name, tenant = labels["app.kubernetes.io/name"], labels.get(TENANT_LABEL)
        # A tenant's copy of an app says the tenant once: agent-service-acme-prod; tenant-acme-prod.
        named_by_tenant = tenant and name == f"tenant-{tenant}"
        instance = f"{name}-{tenant + '-' if tenant and not named_by_tenant else ''}{stage}"
        assert labels["app.kubernetes.io/instance"] == instance, title(m)


@pytest.mark.parametrize("stage", STAGES)
def test_part_of_names_the_platform_of_the_namespace(rendered, environments, stage):
    expected = {f"agent-platform-{stage}": "agentflow", f"model-training-{stage}": "model-training"}
    expected |= {f"tenant-{t.name}-{stage}": "agentflow" for t in environments[stage].tenants}
    for m in rendered[stage].manifests:
        # Cluster-scoped objects (a Namespace, the training jobs' PriorityClass) are named after theirs.
        namespace = m["metadata"].get("namespace") or next(
            ns for ns in expected if m["metadata"]["name"].startswith(ns)
        )
        assert m["metadata"]["labels"]["app.kubernetes.io/part-of"] == expected[namespace], title(m)


@pytest.mark.parametrize("stage", STAGES)
def test_service_objects_carry_the_image_version_and_the_rest_the_release_version(rendered, environments, stage):
    env = environments[stage]
    services = {s.name for s in (*env.services, *env.training.services)}
    for m in rendered[stage].manifests:
        name = m["metadata"]["labels"]["app.kubernetes.io/name"]
        if name in services:
            tag = env.release.images[name].split("@", 1)[0].rsplit(":", 1)[1]
            assert m["metadata"]["labels"][VERSION] == tag, title(m)
        else:
            assert m["metadata"]["labels"][VERSION] == env.release.version, title(m)


@pytest.mark.parametrize("stage", STAGES)
def test_deployment_selector_is_a_subset_of_its_pod_labels(rendered, stage):
    for m in rendered[stage].manifests:
        if m["kind"] == "Deployment":
            selector = m["spec"]["selector"]["matchLabels"]
            assert selector and selector.items() <= m["spec"]["template"]["metadata"]["labels"].items(), title(m)


@pytest.mark.parametrize("stage", STAGES)
def test_deployment_selector_never_contains_the_version(rendered, stage):
    deployments = [m for m in rendered[stage].manifests if m["kind"] == "Deployment"]
    assert deployments
    assert [title(m) for m in deployments if VERSION in m["spec"]["selector"]["matchLabels"]] == []


@pytest.mark.parametrize("stage", STAGES)
def test_no_label_selector_contains_the_version(rendered, stage):
    """Services, PDBs, NetworkPolicies, ServiceMonitors and placement keep matching across a release."""
    offenders = [title(m) for m in rendered[stage].manifests for s in selectors(m) if VERSION in s]
    assert offenders == []


@pytest.mark.parametrize("stage", STAGES)
def test_every_pod_selector_matches_its_own_workload(rendered, stage):
    """Each Service/PDB/ServiceMonitor selector of a service selects that service's pods and no other's."""
    manifests = rendered[stage].manifests
    pods = {
        (m["metadata"]["namespace"], m["metadata"]["name"]): m["spec"]["template"]["metadata"]["labels"]
        for m in manifests
        if m["kind"] == "Deployment"
    }
    for m in manifests:
        if m["kind"] not in ("Service", "PodDisruptionBudget"):
            continue
        selector = m["spec"]["selector"] if m["kind"] == "Service" else m["spec"]["selector"]["matchLabels"]
        namespace = m["metadata"]["namespace"]
        matched = [
            name for (ns, name), labels in pods.items() if ns == namespace and selector.items() <= labels.items()
        ]
        assert matched == [m["metadata"]["name"]], title(m)
