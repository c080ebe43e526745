"""Monitoring: the alerts of REFERENCE.md section 7 with the stage's thresholds, scraping, dashboards."""

from __future__ import annotations

import dataclasses
import json
import re

import jsonschema
import pytest

from components.monitoring import MonitoringSpec
from stacks.platform import components
from tests.conftest import REPOSITORY, STAGES, find

SCHEMAS = REPOSITORY / "kube" / "crd_schemas"
COMPARISON = re.compile(r"(==|!=|>=|<=|>|<)\s*([0-9.]+)\s*$")
SELECTOR = re.compile(r"\{([^{}]*)\}")


def rules(rendered, stage: str, namespace: str, name: str) -> dict[str, dict]:
    rule = find(rendered[stage].manifests, "PrometheusRule", name, namespace)
    out = {}
    for group in rule["spec"]["groups"]:
        for r in group["rules"]:
            assert r["alert"] not in out, f"alert {r['alert']} defined twice"
            out[r["alert"]] = {**r, "group": group["name"]}
    return out


def platform_rules(rendered, stage: str = "prod") -> dict[str, dict]:
    return rules(rendered, stage, f"agent-platform-{stage}", "agentflow-alerts")


def training_rules(rendered, stage: str = "prod") -> dict[str, dict]:
    return rules(rendered, stage, f"model-training-{stage}", "model-training-alerts")


def comparison(expr: str) -> tuple[str, float]:
    match = COMPARISON.search(expr)
    assert match, f"no trailing comparison in {expr!r}"
    return match[1], float(match[2])


# --- The agent platform's alerts -----------------------------------------------------------------

PLATFORM_ALERTS = [
    # alert, group, comparison, threshold, for, severity, a fragment that pins the measured quantity
    ("ServiceDown", "agentflow-platform", "==", 0, "1m", "critical", "up{"),
    ("HighErrorRate", "agentflow-platform", ">", 0.01, "5m", "critical", 'status=~"5.."'),
    ("HighLatencyP99", "agentflow-platform", ">", 10, "5m", "warning", "histogram_quantile(0.99,"),
    ("HighCpuOfLimit", "agentflow-platform", ">", 0.8, "5m", "warning", 'resource="cpu"'),
    ("HighMemoryOfLimit", "agentflow-platform", ">", 0.85, "5m", "warning", 'resource="memory"'),
    ("PodRestarting", "agentflow-platform", ">", 3, "0m", "warning", "kube_pod_container_status_restarts_total"),
    ("AvailabilityBelowTarget", "agentflow-cluster", "<", 0.99, "5m", "critical", 'status!~"5.."'),
    (
        "InstanceFailureRate",
        "agentflow-cluster",
        ">",
        0.05,
        "5m",
        "critical",
        "kube_deployment_status_replicas_unavailable",
    ),
    ("ScalingFailures", "agentflow-cluster", ">", 3, "0m", "warning", 'condition="AbleToScale",status="false"'),
    ("ResourceUsageHigh", "agentflow-cluster", ">", 0.9, "15m", "warning", "kube_resourcequota"),
    ("RecoveryTooSlow", "agentflow-cluster", ">", 0, "10m", "critical", "kube_deployment_status_replicas_unavailable"),
]


@pytest.mark.parametrize(
    "alert, group, op, threshold, for_, severity, fragment", PLATFORM_ALERTS, ids=[a[0] for a in PLATFORM_ALERTS]
)
def test_prod_platform_alert(rendered, alert, group, op, threshold, for_, severity, fragment):
    rule = platform_rules(rendered)[alert]
    assert rule["group"] == group
    assert comparison(rule["expr"]) == (op, threshold)
    assert rule["for"] == for_
    assert rule["labels"] == {"severity": severity, "namespace": "agent-platform-prod"}
    assert fragment in rule["expr"]
    assert rule["annotations"]["summary"]


def test_prod_platform_alerts_are_exactly_the_reference_catalogue(rendered):
    assert set(platform_rules(rendered)) == {a[0] for a in PLATFORM_ALERTS}


@pytest.mark.parametrize(
    "alert, window",
    [
        ("HighErrorRate", "[5m]"),
        ("PodRestarting", "[1h]"),
        ("AvailabilityBelowTarget", "[1h]"),
        ("ScalingFailures", "[1h:1m]"),
    ],
)
def test_rate_windows(rendered, alert, window):
    """Error rate over 5 min; restarts, availability and scaling failures per hour."""
    assert window in platform_rules(rendered)[alert]["expr"]


def test_error_rate_is_a_ratio_of_5xx_to_all_requests(rendered):
    expr = platform_rules(rendered)["HighErrorRate"]["expr"]
    numerator, denominator = expr.rsplit(">", 1)[0].split(" / ")
    assert 'status=~"5.."' in numerator and "status" not in denominator
    assert "http_requests_total" in numerator and "http_requests_total" in denominator


@pytest.mark.parametrize(
    "alert, measured, limit",
    [
        (
            "HighCpuOfLimit",
            "container_cpu_usage_seconds_total",
            'kube_pod_container_resource_limits{namespace="agent-platform-prod",resource="cpu"}',
        ),
        (
            "HighMemoryOfLimit",
            "container_memory_working_set_bytes",
            'kube_pod_container_resource_limits{namespace="agent-platform-prod",resource="memory"}',
        ),
    ],
)
def test_usage_alerts_divide_by_the_limit(rendered, alert, measured, limit):
    numerator, denominator = platform_rules(rendered)[alert]["expr"].rsplit(">", 1)[0].split(" / ")
    assert measured in numerator
    assert limit in denominator


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize(
    "family, name", [("agent-platform", "agentflow-alerts"), ("model-training", "model-training-alerts")]
)
def test_every_selector_is_scoped_to_the_namespace(rendered, stage, family, name):
    namespace = f"{family}-{stage}"
    for alert, rule in rules(rendered, stage, namespace, name).items():
        selectors = SELECTOR.findall(rule["expr"])
        assert selectors, alert
        assert all(f'namespace="{namespace}"' in s for s in selectors), alert


@pytest.mark.parametrize("stage", STAGES)
def test_thresholds_come_from_the_stage(rendered, environments, stage):
    t = environments[stage].monitoring.thresholds
    found = platform_rules(rendered, stage)
    assert comparison(found["HighErrorRate"]["expr"])[1] == t.error_rate
    assert comparison(found["HighLatencyP99"]["expr"])[1] == t.p99_latency_seconds
    assert comparison(found["HighCpuOfLimit"]["expr"])[1] == t.cpu_of_limit
    assert comparison(found["HighMemoryOfLimit"]["expr"])[1] == t.memory_of_limit
    assert comparison(found["PodRestarting"]["expr"])[1] == t.restarts_per_hour
    assert comparison(found["AvailabilityBelowTarget"]["expr"])[1] == t.availability
    assert comparison(found["InstanceFailureRate"]["expr"])[1] == t.instance_failure_rate
    assert comparison(found["ScalingFailures"]["expr"])[1] == t.failed_scaling_operations
    assert comparison(found["ResourceUsageHigh"]["expr"])[1] == t.resource_usage
    assert found["RecoveryTooSlow"]["for"] == f"{t.recovery_minutes:g}m"


def test_changing_a_stage_threshold_changes_the_alert(environments):
    env = environments["prod"]
    thresholds = dataclasses.replace(env.monitoring.thresholds, error_rate=0.02, recovery_minutes=7)
    changed = dataclasses.replace(env, monitoring=dataclasses.replace(env.monitoring, thresholds=thresholds))
    spec = next(s for s in components(changed) if isinstance(s, MonitoringSpec))
    found = {r["alert"]: r for group in spec.manifests()[0]["spec"]["groups"] for r in group["rules"]}
    assert comparison(found["HighErrorRate"]["expr"]) == (">", 0.02)
    assert found["RecoveryTooSlow"]["for"] == "7m"


# --- The fine-tuning platform's alerts -----------------------------------------------------------

TRAINING_ALERTS = [
    ("ServiceDown", "==", 0, "1m", "critical", 'up{namespace="model-training-prod"}'),
    ("SlowResponse", ">", 2, "5m", "warning", "histogram_quantile(0.95,"),
    (
        "HealthCheckFailing",
        ">",
        3,
        "0m",
        "warning",
        'prober_probe_total{namespace="model-training-prod",result="failed"}',
    ),
    ("WorkflowFailureRate", ">", 0.05, "15m", "warning", 'status="failed"'),
    ("HighMemoryOfLimit", ">", 0.85, "5m", "warning", 'resource="memory"'),
    ("HighApiErrorRate", ">", 0.01, "5m", "critical", 'status=~"5.."'),
]


@pytest.mark.parametrize(
    "alert, op, threshold, for_, severity, fragment", TRAINING_ALERTS, ids=[a[0] for a in TRAINING_ALERTS]
)
def test_prod_training_alert(rendered, alert, op, threshold, for_, severity, fragment):
    rule = training_rules(rendered)[alert]
    assert comparison(rule["expr"]) == (op, threshold)
    assert rule["for"] == for_
    assert rule["labels"] == {"severity": severity, "namespace": "model-training-prod"}
    assert fragment in rule["expr"]


def test_training_alerts_are_the_fine_tuning_catalogue(rendered):
    assert set(training_rules(rendered)) == {a[0] for a in TRAINING_ALERTS}


@pytest.mark.parametrize("stage", STAGES)
def test_training_thresholds_come_from_the_stage(rendered, environments, stage):
    t = environments[stage].training.thresholds
    found = training_rules(rendered, stage)
    assert comparison(found["SlowResponse"]["expr"])[1] == t.response_seconds
    assert comparison(found["HealthCheckFailing"]["expr"])[1] == t.health_check_failures
    assert comparison(found["WorkflowFailureRate"]["expr"])[1] == t.workflow_failure_rate
    assert comparison(found["HighMemoryOfLimit"]["expr"])[1] == t.memory_of_limit
    assert comparison(found["HighApiErrorRate"]["expr"])[1] == t.api_error_rate


def test_training_services_going_down_is_alerted(rendered):
    assert any(
        comparison(r["expr"]) == ("==", 0) and r["expr"].startswith("up{") for r in training_rules(rendered).values()
    )


@pytest.mark.parametrize("kind", ["PrometheusRule", "ServiceMonitor"])
@pytest.mark.parametrize("stage", STAGES)
def test_monitoring_objects_are_valid_against_the_crd_schema(rendered, stage, kind):
    schema = json.loads((SCHEMAS / f"monitoring.coreos.com_v1_{kind}.json").read_text())
    objects = [m for m in rendered[stage].manifests if m["kind"] == kind]
    assert objects
    for manifest in objects:
        jsonschema.validate(manifest, schema, cls=jsonschema.Draft202012Validator)


# --- ServiceMonitors -----------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("family", ["agent-platform", "model-training"])
def test_one_service_monitor_per_service(rendered, stage, family):
    namespace = f"{family}-{stage}"
    objects = [m for m in rendered[stage].manifests if m["metadata"].get("namespace") == namespace]
    monitors = sorted(m["metadata"]["name"] for m in objects if m["kind"] == "ServiceMonitor")
    services = sorted(m["metadata"]["name"] for m in objects if m["kind"] == "Service")
    assert monitors == services and len(services) in (6, 7)


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("family", ["agent-platform", "model-training"])
def test_service_monitor_selects_exactly_its_service(rendered, stage, family):
    namespace = f"{family}-{stage}"
    objects = [m for m in rendered[stage].manifests if m["metadata"].get("namespace") == namespace]
    services = [m for m in objects if m["kind"] == "Service"]
    for monitor in (m for m in objects if m["kind"] == "ServiceMonitor"):
        selector = monitor["spec"]["selector"]["matchLabels"]
        selected = [s["metadata"]["name"] for s in services if selector.items() <= s["metadata"]["labels"].items()]
        assert selected == [monitor["metadata"]["name"]]
        assert monitor["spec"]["namespaceSelector"] == {"matchNames": [namespace]}


def test_service_monitor_scrapes_metrics_on_the_http_port_every_15s(rendered):
    monitor = find(rendered["prod"].manifests, "ServiceMonitor", "agent-service", "agent-platform-prod")
    assert monitor["spec"]["endpoints"] == [{"port": "http", "path": "/metrics", "scheme": "http", "interval": "15s"}]
    service = find(rendered["prod"].manifests, "Service", "agent-service", "agent-platform-prod")
    assert "http" in {p["name"] for p in service["spec"]["ports"]}


def test_prometheus_namespace_may_reach_the_scraped_port(rendered):
    policy = find(rendered["prod"].manifests, "NetworkPolicy", "agent-service", "agent-platform-prod")
    assert {
        "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
        "ports": [{"protocol": "TCP", "port": 8080}],
    } in policy["spec"]["ingress"]


# --- Dashboards ----------------------------------------------------------------------------------


def dashboard(rendered, stage: str, namespace: str, name: str) -> dict:
    config_map = find(rendered[stage].manifests, "ConfigMap", f"{name}-dashboard", namespace)
    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    (text,) = config_map["data"].values()
    return json.loads(text)


@pytest.mark.parametrize("stage", STAGES)
def test_platform_dashboard_has_request_rate_p95_latency_and_memory(rendered, stage):
    board = dashboard(rendered, stage, f"agent-platform-{stage}", "agentflow")
    assert [p["title"] for p in board["panels"]] == ["Request rate", "P95 latency", "Memory"]
    assert board["title"] == f"AgentFlow platform ({stage})"


def test_dashboard_panel_queries(rendered):
    panels = {p["title"]: p for p in dashboard(rendered, "prod", "agent-platform-prod", "agentflow")["panels"]}
    assert "rate(http_requests_total" in panels["Request rate"]["targets"][0]["expr"]
    assert panels["P95 latency"]["targets"][0]["expr"].startswith("histogram_quantile(0.95,")
    assert "container_memory_working_set_bytes" in panels["Memory"]["targets"][0]["expr"]
    assert {title: p["fieldConfig"]["defaults"]["unit"] for title, p in panels.items()} == {
        "Request rate": "reqps",
        "P95 latency": "s",
        "Memory": "bytes",
    }


def test_training_dashboard_adds_cpu_gpu_and_active_jobs(rendered):
    board = dashboard(rendered, "prod", "model-training-prod", "model-training")
    titles = [p["title"] for p in board["panels"]]
    assert titles == ["Request rate", "P95 latency", "Memory", "CPU", "GPU utilisation", "Active training jobs"]
    panels = {p["title"]: p["targets"][0]["expr"] for p in board["panels"]}
    assert "DCGM_FI_DEV_GPU_UTIL" in panels["GPU utilisation"]
    assert "kube_job_status_active" in panels["Active training jobs"]


@pytest.mark.parametrize("stage", STAGES)
def test_dashboard_queries_are_scoped_to_the_namespace(rendered, stage):
    for family, name in (("agent-platform", "agentflow"), ("model-training", "model-training")):
        namespace = f"{family}-{stage}"
        for panel in dashboard(rendered, stage, namespace, name)["panels"]:
            assert f'namespace="{namespace}"' in panel["targets"][0]["expr"], panel["title"]


def test_dashboard_panels_do_not_overlap(rendered):
    board = dashboard(rendered, "prod", "model-training-prod", "model-training")
    cells = [(p["gridPos"]["x"], p["gridPos"]["y"]) for p in board["panels"]]
    assert len(set(cells)) == len(cells)
    assert len({p["id"] for p in board["panels"]}) == len(board["panels"])
