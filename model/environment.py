"""The platform model of one stage: frozen dataclasses built from a validated stage file.

Field names follow the stage file's keys (see stage.schema.json for what each means); the
loader builds these only after the schema and the semantic checks passed, so every value here
is well formed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.source import SourceMap


@dataclass(frozen=True)
class CpuMemory:
    """A pair of quantities, as in requests/limits (strings as written, e.g. "500m")."""

    cpu: str | None = None
    memory: str | None = None
    ephemeral_storage: str | None = None

    def as_dict(self) -> dict[str, str]:
        """The Kubernetes form: {"cpu": ..., "memory": ..., "ephemeral-storage": ...} without gaps."""
        pairs = {"cpu": self.cpu, "memory": self.memory, "ephemeral-storage": self.ephemeral_storage}
        return {name: value for name, value in pairs.items() if value is not None}


@dataclass(frozen=True)
class Resources:
    requests: CpuMemory
    limits: CpuMemory


@dataclass(frozen=True)
class Probe:
    """An HTTP GET probe on the service's http port."""

    path: str
    initial_delay_seconds: int
    period_seconds: int
    timeout_seconds: int
    failure_threshold: int


@dataclass(frozen=True)
class Probes:
    liveness: Probe
    readiness: Probe
    startup: Probe


@dataclass(frozen=True)
class PodSettings:
    """What every pod of the platform shares: ports, identity, probes, shutdown."""

    http_port: int
    grpc_port: int
    run_as_user: int
    run_as_group: int
    fs_group: int
    termination_grace_period_seconds: int
    pre_stop_sleep_seconds: int
    tmp_size: str
    config_mount_path: str
    probes: Probes


@dataclass(frozen=True)
class ScalingPolicy:
    type: str  # Percent | Pods
    value: int
    period_seconds: int


@dataclass(frozen=True)
class ScalingRules:
    stabilization_seconds: int
    select: str
    policies: tuple[ScalingPolicy, ...]


@dataclass(frozen=True)
class ScalingBehavior:
    scale_up: ScalingRules
    scale_down: ScalingRules


@dataclass(frozen=True)
class QueueMetric:
    """An External metric of the task backlog that the HPA keeps at average_value per pod."""

    metric: str
    average_value: str
    selector: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Autoscaling:
    enabled: bool
    min_replicas: int | None = None
    max_replicas: int | None = None
    cpu_utilization: int | None = None
    memory_utilization: int | None = None
    behavior: ScalingBehavior | None = None
    queue: QueueMetric | None = None


@dataclass(frozen=True)
class DisruptionBudget:
    """A PodDisruptionBudget: one of min_available / max_unavailable (count or "N%")."""

    enabled: bool = True
    min_available: int | str | None = None
    max_unavailable: int | str | None = None


@dataclass(frozen=True)
class VerticalScaling:
    enabled: bool
    update_mode: str = "Off"
    min_allowed: CpuMemory | None = None
    max_allowed: CpuMemory | None = None


@dataclass(frozen=True)
class SecretRef:
    secret: str
    key: str


@dataclass(frozen=True)
class ApiRule:
    """One RBAC rule of the service's Role in its own namespace."""

    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    verbs: tuple[str, ...]


@dataclass(frozen=True)
class Service:
    """One service of the platform with its stage-owned settings and its released image."""

    name: str
    image: str
    component: str
    description: str = ""
    replicas: int | None = None
    resources: Resources | None = None
    autoscaling: Autoscaling | None = None
    pdb: DisruptionBudget | None = None
    vpa: VerticalScaling | None = None
    database: str | None = None
    egress: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    secret_env: Mapping[str, SecretRef] = field(default_factory=dict)
    env: Mapping[str, Any] = field(default_factory=dict)
    ingress_path: str | None = None
    api_access: tuple[ApiRule, ...] = ()
    tenant_registry: bool = False
    stopped: Mapping[str, Any] | None = None  # set by `pipeline stop`: the settings `pipeline start` restores

    @property
    def autoscaled(self) -> bool:
        """Whether an HPA owns the replica count."""
        return bool(self.autoscaling and self.autoscaling.enabled)

    @property
    def min_replicas(self) -> int:
        """The fewest pods the service runs with (HPA minimum or fixed replicas)."""
        if self.autoscaled:
            return self.autoscaling.min_replicas
        return self.replicas if self.replicas is not None else 1

    @property
    def max_replicas(self) -> int:
        """The most pods the service can run with (HPA maximum or fixed replicas)."""
        if self.autoscaled:
            return self.autoscaling.max_replicas
        return self.min_replicas


@dataclass(frozen=True)
class Platform:
    part_of: str
    namespace_prefix: str
    pod_security: str
    pod_security_version: str  # latest | v1.<minor>


@dataclass(frozen=True)
class Release:
    """What promotion moves from stage to stage: the version, images and application config."""

    version: str
    images: Mapping[str, str]
    config: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Availability:
    anti_affinity: str  # required | preferred | none
    zone_spread: str  # DoNotSchedule | ScheduleAnyway | none
    zones: tuple[str, ...]


@dataclass(frozen=True)
class Port:
    port: int
    protocol: str = "TCP"


@dataclass(frozen=True)
class EgressTarget:
    """A destination services may reach: ports, optionally restricted to IP blocks."""

    ports: tuple[Port, ...]
    cidrs: tuple[str, ...] = ()
    except_: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dns:
    namespace: str
    pod_labels: Mapping[str, str]


@dataclass(frozen=True)
class Network:
    ingress_namespace_labels: Mapping[str, str]
    scrape_namespace: str
    dns: Dns
    egress_targets: Mapping[str, EgressTarget]


@dataclass(frozen=True)
class LimitRangeSettings:
    default: CpuMemory | None = None
    default_request: CpuMemory | None = None
    min: CpuMemory | None = None
    max: CpuMemory | None = None
    max_limit_request_ratio: CpuMemory | None = None


@dataclass(frozen=True)
class NamespaceSettings:
    quota: Mapping[str, str]
    limit_range: LimitRangeSettings


@dataclass(frozen=True)
class IngressSettings:
    class_name: str
    cluster_issuer: str
    ssl_redirect: bool
    platform_host: str
    training_host: str


@dataclass(frozen=True)
class SecretStore:
    name: str
    kind: str


@dataclass(frozen=True)
class RemoteRef:
    key: str
    property: str | None = None


@dataclass(frozen=True)
class SecretSettings:
    """Secrets reach the cluster only through ExternalSecrets reading this store."""

    store: SecretStore
    refresh_interval: str
    items: Mapping[str, Mapping[str, RemoteRef]]


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    credentials_remote_key: str


@dataclass(frozen=True)
class Backup:
    schedule: str
    retention: int
    storage_size: str
    storage_class: str
    image: str
    active_deadline_seconds: int
    resources: Resources


@dataclass(frozen=True)
class Thresholds:
    """Alert thresholds (REFERENCE.md section 7); ratios are fractions (0.01 is 1 %)."""

    error_rate: float
    p99_latency_seconds: float
    p95_latency_seconds: float
    cpu_of_limit: float
    memory_of_limit: float
    restarts_per_hour: float
    availability: float
    instance_failure_rate: float
    failed_scaling_operations: float
    resource_usage: float
    recovery_minutes: float
    health_check_failures: float
    workflow_failure_rate: float


@dataclass(frozen=True)
class Monitoring:
    scrape_interval_seconds: int
    thresholds: Thresholds


@dataclass(frozen=True)
class Targets:
    """The platform's declared targets (REFERENCE.md section 8), checked by the policy pack."""

    availability_percent: float
    api_p95_ms: int
    health_check_interval_seconds: int
    failure_detection_seconds: int
    scale_up_seconds: int
    scale_operation_seconds: int
    recovery_seconds: int
    config_push_seconds: int
    deploy_seconds: int
    rpo_minutes: int
    rto_minutes: int


@dataclass(frozen=True)
class Plan:
    max_concurrent_agents: int
    max_tasks_per_minute: int
    features: tuple[str, ...]


@dataclass(frozen=True)
class Tenancy:
    namespace_prefix: str  # a tenant's namespace is <prefix>-<tenant>-<stage>


@dataclass(frozen=True)
class Tenant:
    """A dedicated tenant: its plan's limits, services and quota, overridden where its entry says so."""

    name: str
    plan: str
    max_concurrent_agents: int
    max_tasks_per_minute: int
    features: tuple[str, ...]
    services: tuple[Service, ...] = ()  # its own instances of agent-platform services
    quota: Mapping[str, str] = field(default_factory=dict)
    limit_range: LimitRangeSettings | None = None  # None: the stage's namespace.limit_range


@dataclass(frozen=True)
class TrainingJob:
    gpus: int
    resources: Resources


@dataclass(frozen=True)
class TrainingThresholds:
    response_seconds: float
    health_check_failures: float
    workflow_failure_rate: float
    memory_of_limit: float
    api_error_rate: float


@dataclass(frozen=True)
class TrainingTargets:
    availability_percent: float
    response_seconds: float


@dataclass(frozen=True)
class Training:
    """The model fine-tuning platform: its namespace, job capacity and services."""

    namespace_prefix: str
    concurrent_jobs: int
    job: TrainingJob
    services: tuple[Service, ...]
    quota: Mapping[str, str]
    limit_range: LimitRangeSettings
    thresholds: TrainingThresholds
    targets: TrainingTargets


@dataclass(frozen=True)
class PolicySettings:
    """How the policy pack judges the stage: per-rule enforcement and the stage's bounds."""

    enforcement: Mapping[str, str]
    registries: tuple[str, ...]
    require_digest: bool
    min_replicas: int
    require_spread: bool


@dataclass(frozen=True)
class Environment:
    """Everything one stage deploys."""

    stage: str
    platform: Platform
    release: Release
    pod: PodSettings
    services: tuple[Service, ...]
    availability: Availability
    network: Network
    namespace: NamespaceSettings
    ingress: IngressSettings
    secrets: SecretSettings
    postgres: Postgres
    backup: Backup
    monitoring: Monitoring
    targets: Targets
    tenancy: Tenancy
    plans: Mapping[str, Plan]
    tenants: tuple[Tenant, ...]
    training: Training
    policy: PolicySettings
    # Where each setting was written (file, line, column), for reports that point at the stage file.
    source: SourceMap | None = field(default=None, compare=False, repr=False)

    @property
    def namespace_name(self) -> str:
        """The agent platform's namespace in this stage, e.g. agent-platform-prod."""
        return f"{self.platform.namespace_prefix}-{self.stage}"

    def tenant_namespace_name(self, tenant: Tenant) -> str:
        """A dedicated tenant's namespace in this stage, e.g. tenant-acme-prod."""
        return tenant_namespace(self.tenancy.namespace_prefix, tenant.name, self.stage)

    @property
    def training_namespace_name(self) -> str:
        """The fine-tuning platform's namespace in this stage, e.g. model-training-prod."""
        return f"{self.training.namespace_prefix}-{self.stage}"


def tenant_namespace(prefix: str, tenant: str, stage: str) -> str:
    """The namespace of a tenant in a stage: <prefix>-<tenant>-<stage>."""
    return f"{prefix}-{tenant}-{stage}"
