"""Monitoring: PrometheusRule with the platform's alerts, a ServiceMonitor per service, a dashboard.

The alert catalogues below are REFERENCE.md section 7 (platform, cluster story, fine-tuning
platform), each threshold from the stage's settings. Metrics: http_requests_total and
http_request_duration_seconds from the services; kube-state-metrics, cAdvisor and kubelet prober
metrics for the rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar

from components.meta import AppIdentity, Manifest, object_meta
from components.resource import PlatformComponent
from model.environment import Thresholds, TrainingThresholds

DASHBOARD_LABEL = "grafana_dashboard"  # the Grafana sidecar loads ConfigMaps carrying it


@dataclass(frozen=True)
class AlertRule:
    alert: str
    expr: str
    for_: str
    severity: str
    summary: str


@dataclass(frozen=True)
class AlertGroup:
    name: str
    rules: tuple[AlertRule, ...]


@dataclass(frozen=True)
class Panel:
    title: str
    expr: str
    unit: str


@dataclass(frozen=True)
class MonitoringSpec:
    """Alerts, scraping and the dashboard of one namespace."""

    namespace: str
    identity: AppIdentity
    monitored: tuple[AppIdentity, ...]
    scrape_interval_seconds: int
    alert_groups: tuple[AlertGroup, ...]
    dashboard_title: str
    panels: tuple[Panel, ...]

    @property
    def name(self) -> str:
        return f"{self.namespace}-monitoring"

    def manifests(self) -> list[Manifest]:
        """PrometheusRule, one ServiceMonitor per service, the dashboard ConfigMap."""
        labels = self.identity.labels()
        return [self._rules(labels), *(self._service_monitor(app) for app in self.monitored), self._dashboard(labels)]

    def _rules(self, labels: dict[str, str]) -> Manifest:
        groups = [
            {
                "name": group.name,
                "rules": [
                    {
                        "alert": rule.alert,
                        "expr": rule.expr,
                        "for": rule.for_,
                        "labels": {"severity": rule.severity, "namespace": self.namespace},
                        "annotations": {"summary": rule.summary},
                    }
                    for rule in group.rules
                ],
            }
            for group in self.alert_groups
        ]
        return {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": object_meta(f"{self.identity.name}-alerts", self.namespace, labels),
            "spec": {"groups": groups},
        }

    def _service_monitor(self, app: AppIdentity) -> Manifest:
        return {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "ServiceMonitor",
            "metadata": object_meta(app.name, self.namespace, app.labels()),
            "spec": {
                "jobLabel": "app.kubernetes.io/name",
                "selector": {"matchLabels": app.selector()},
                "namespaceSelector": {"matchNames": [self.namespace]},
                "endpoints": [
                    {
                        "port": "http",
                        "path": "/metrics",
                        "scheme": "http",
                        "interval": f"{self.scrape_interval_seconds}s",
                    }
                ],
            },
        }

    def _dashboard(self, labels: dict[str, str]) -> Manifest:
        uid = f"{self.namespace}"[:40]
        panels = [
            {
                "id": index + 1,
                "type": "timeseries",
                "title": panel.title,
                "gridPos": {"h": 8, "w": 12, "x": (index % 2) * 12, "y": (index // 2) * 8},
                "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
                "targets": [{"expr": panel.expr, "refId": "A", "legendFormat": "{{job}}"}],
            }
            for index, panel in enumerate(self.panels)
        ]
        dashboard = {
            "uid": uid,
            "title": self.dashboard_title,
            "schemaVersion": 39,
            "editable": False,
            "time": {"from": "now-6h", "to": "now"},
            "refresh": "30s",
            "panels": panels,
            "tags": [self.identity.part_of, self.namespace],
        }
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": object_meta(
                f"{self.identity.name}-dashboard", self.namespace, {**labels, DASHBOARD_LABEL: "1"}
            ),
            "data": {f"{self.identity.name}.json": json.dumps(dashboard, indent=2, sort_keys=True) + "\n"},
        }


def _n(value: float) -> str:
    return f"{value:g}"


def _error_ratio(ns: str, window: str) -> str:
    return (
        f'sum by (job) (rate(http_requests_total{{namespace="{ns}",status=~"5.."}}[{window}]))'
        f' / sum by (job) (rate(http_requests_total{{namespace="{ns}"}}[{window}]))'
    )


def _latency(ns: str, quantile: float) -> str:
    return (
        f"histogram_quantile({_n(quantile)}, sum by (job, le) "
        f'(rate(http_request_duration_seconds_bucket{{namespace="{ns}"}}[5m])))'
    )


def _memory_of_limit(ns: str) -> str:
    return (
        f'sum by (pod) (container_memory_working_set_bytes{{namespace="{ns}",container!=""}})'
        f' / sum by (pod) (kube_pod_container_resource_limits{{namespace="{ns}",resource="memory"}})'
    )


def _service_down(ns: str) -> AlertRule:
    return AlertRule(
        "ServiceDown",
        f'up{{namespace="{ns}"}} == 0',
        "1m",
        "critical",
        "A service instance is down (scrape target up == 0).",
    )


def agent_platform_alerts(ns: str, t: Thresholds) -> tuple[AlertGroup, ...]:
    """The production guide's platform alerts and the cluster story's operational alerts."""
    platform = AlertGroup(
        "agentflow-platform",
        (
            _service_down(ns),
            AlertRule(
                "HighErrorRate",
                f"{_error_ratio(ns, '5m')} > {_n(t.error_rate)}",
                "5m",
                "critical",
                f"More than {_n(t.error_rate * 100)} % of requests fail with 5xx.",
            ),
            AlertRule(
                "HighLatencyP99",
                f"{_latency(ns, 0.99)} > {_n(t.p99_latency_seconds)}",
                "5m",
                "warning",
                f"P99 latency is above {_n(t.p99_latency_seconds)} s.",
            ),
            AlertRule(
                "HighCpuOfLimit",
                f'sum by (pod) (rate(container_cpu_usage_seconds_total{{namespace="{ns}",container!=""}}[5m]))'
                f' / sum by (pod) (kube_pod_container_resource_limits{{namespace="{ns}",resource="cpu"}})'
                f" > {_n(t.cpu_of_limit)}",
                "5m",
                "warning",
                f"CPU above {_n(t.cpu_of_limit * 100)} % of the limit.",
            ),
            AlertRule(
                "HighMemoryOfLimit",
                f"{_memory_of_limit(ns)} > {_n(t.memory_of_limit)}",
                "5m",
                "warning",
                f"Memory above {_n(t.memory_of_limit * 100)} % of the limit.",
            ),
            AlertRule(
                "PodRestarting",
                f'increase(kube_pod_container_status_restarts_total{{namespace="{ns}"}}[1h])'
                f" > {_n(t.restarts_per_hour)}",
                "0m",
                "warning",
                f"A container restarted more than {_n(t.restarts_per_hour)} times in an hour.",
            ),
        ),
    )
    cluster = AlertGroup(
        "agentflow-cluster",
        (
            AlertRule(
                "AvailabilityBelowTarget",
                f'sum by (job) (rate(http_requests_total{{namespace="{ns}",status!~"5.."}}[1h]))'
                f' / sum by (job) (rate(http_requests_total{{namespace="{ns}"}}[1h])) < {_n(t.availability)}',
                "5m",
                "critical",
                f"Availability over the last hour is below {_n(t.availability * 100)} %.",
            ),
            AlertRule(
                "InstanceFailureRate",
                f'sum(kube_deployment_status_replicas_unavailable{{namespace="{ns}"}})'
                f' / sum(kube_deployment_spec_replicas{{namespace="{ns}"}}) > {_n(t.instance_failure_rate)}',
                "5m",
                "critical",
                f"More than {_n(t.instance_failure_rate * 100)} % of instances are failing.",
            ),
            AlertRule(
                "ScalingFailures",
                f'count_over_time((kube_horizontalpodautoscaler_status_condition{{namespace="{ns}",'
                f'condition="AbleToScale",status="false"}} == 1)[1h:1m]) > {_n(t.failed_scaling_operations)}',
                "0m",
                "warning",
                f"An autoscaler failed to scale more than {_n(t.failed_scaling_operations)} times in an hour.",
            ),
            AlertRule(
                "ResourceUsageHigh",
                f'kube_resourcequota{{namespace="{ns}",type="used"}} / ignoring(type) '
                f'kube_resourcequota{{namespace="{ns}",type="hard"}} > {_n(t.resource_usage)}',
                "15m",
                "warning",
                f"A namespace quota is more than {_n(t.resource_usage * 100)} % used.",
            ),
            AlertRule(
                "RecoveryTooSlow",
                f'kube_deployment_status_replicas_unavailable{{namespace="{ns}"}} > 0',
                f"{_n(t.recovery_minutes)}m",
                "critical",
                f"A deployment has had unavailable replicas for over {_n(t.recovery_minutes)} minutes.",
            ),
        ),
    )
    return platform, cluster


def training_alerts(ns: str, t: TrainingThresholds) -> tuple[AlertGroup, ...]:
    """The fine-tuning platform's alerts, and the service-down alert its availability target needs."""
    return (
        AlertGroup(
            "model-training",
            (
                _service_down(ns),
                AlertRule(
                    "SlowResponse",
                    f"{_latency(ns, 0.95)} > {_n(t.response_seconds)}",
                    "5m",
                    "warning",
                    f"P95 response time is above {_n(t.response_seconds)} s.",
                ),
                AlertRule(
                    "HealthCheckFailing",
                    f'sum by (pod) (increase(prober_probe_total{{namespace="{ns}",result="failed"}}[5m]))'
                    f" > {_n(t.health_check_failures)}",
                    "0m",
                    "warning",
                    f"A pod failed its health check more than {_n(t.health_check_failures)} times in 5 minutes.",
                ),
                AlertRule(
                    "WorkflowFailureRate",
                    f'sum(rate(training_workflow_runs_total{{namespace="{ns}",status="failed"}}[1h]))'
                    f' / sum(rate(training_workflow_runs_total{{namespace="{ns}"}}[1h]))'
                    f" > {_n(t.workflow_failure_rate)}",
                    "15m",
                    "warning",
                    f"More than {_n(t.workflow_failure_rate * 100)} % of workflows fail.",
                ),
                AlertRule(
                    "HighMemoryOfLimit",
                    f"{_memory_of_limit(ns)} > {_n(t.memory_of_limit)}",
                    "5m",
                    "warning",
                    f"Memory above {_n(t.memory_of_limit * 100)} % of the limit.",
                ),
                AlertRule(
                    "HighApiErrorRate",
                    f"{_error_ratio(ns, '5m')} > {_n(t.api_error_rate)}",
                    "5m",
                    "critical",
                    f"More than {_n(t.api_error_rate * 100)} % of API requests fail.",
                ),
            ),
        ),
    )


def service_panels(ns: str) -> tuple[Panel, ...]:
    """Request rate, P95 latency and memory per service."""
    return (
        Panel("Request rate", f'sum by (job) (rate(http_requests_total{{namespace="{ns}"}}[5m]))', "reqps"),
        Panel("P95 latency", _latency(ns, 0.95), "s"),
        Panel(
            "Memory", f'sum by (pod) (container_memory_working_set_bytes{{namespace="{ns}",container!=""}})', "bytes"
        ),
    )


def training_panels(ns: str) -> tuple[Panel, ...]:
    """The service panels plus CPU, GPU and active training jobs."""
    return service_panels(ns) + (
        Panel(
            "CPU",
            f'sum by (pod) (rate(container_cpu_usage_seconds_total{{namespace="{ns}",container!=""}}[5m]))',
            "short",
        ),
        Panel("GPU utilisation", f'avg by (pod) (DCGM_FI_DEV_GPU_UTIL{{namespace="{ns}"}})', "percent"),
        Panel("Active training jobs", f'sum(kube_job_status_active{{namespace="{ns}"}})', "short"),
    )


class Monitoring(PlatformComponent):
    """The Pulumi component of a namespace's alerts, scraping and dashboard."""

    TYPE: ClassVar[str] = "agent-platform:monitoring:Monitoring"
