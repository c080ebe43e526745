"""TrainingPlatform: the model fine-tuning platform in a namespace of its own.

Training jobs run at their own PriorityClass, and a ResourceQuota scoped to that class admits
exactly the stage's concurrent training jobs: one pod and its GPUs, CPU and memory per job.
(A quota on count/jobs.batch would count every finished Job, backups' included, not the jobs
running.) Beside them: the fine-tuning, compression, optimisation, evaluation, data and serving
services, their backups, secrets, alerts and dashboard, and the integrator registry that
declares the train -> optimise -> deploy workflow and the class jobs must use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import yaml

from components.agent_service import AgentServiceSpec
from components.ingress import IngressSpec
from components.meta import AppIdentity, Manifest, object_meta
from components.monitoring import MonitoringSpec
from components.platform_namespace import PlatformNamespaceSpec
from components.postgres_backup import PostgresBackupSpec
from components.resource import PlatformComponent
from components.secrets import SecretsSpec
from kube.quantity import parse_quantity
from model.environment import TrainingJob

GPU_RESOURCE = "nvidia.com/gpu"
WORKFLOW = ("train", "optimise", "deploy")


@dataclass(frozen=True)
class TrainingPlatformSpec:
    """The training platform of a stage, composed of the other families' specs."""

    namespace: PlatformNamespaceSpec
    identity: AppIdentity
    concurrent_jobs: int
    job: TrainingJob
    services: tuple[AgentServiceSpec, ...]
    backups: tuple[PostgresBackupSpec, ...]
    secrets: SecretsSpec
    monitoring: MonitoringSpec
    ingress: IngressSpec

    @property
    def name(self) -> str:
        return self.namespace.namespace

    @property
    def priority_class(self) -> str:
        """The PriorityClass training jobs run at (cluster-scoped, so named per stage)."""
        return f"{self.namespace.namespace}-jobs"

    def job_quota(self) -> dict[str, str]:
        """What concurrent_jobs training pods may hold at once: pods, GPUs, CPU and memory."""
        jobs = self.concurrent_jobs
        quota = {"pods": str(jobs), f"requests.{GPU_RESOURCE}": str(jobs * self.job.gpus)}
        for side, amounts in (("requests", self.job.resources.requests), ("limits", self.job.resources.limits)):
            for resource, value in amounts.as_dict().items():
                quota[f"{side}.{resource}"] = _times(value, jobs)
        return quota

    def manifests(self) -> list[Manifest]:
        """Namespace and guard rails, job quota and class, services, backups, secrets, monitoring, ingress, registry."""
        labels = self.identity.labels()
        out = self.namespace.manifests() + self.secrets.manifests()
        out += [
            {
                "apiVersion": "scheduling.k8s.io/v1",
                "kind": "PriorityClass",
                "metadata": object_meta(self.priority_class, None, labels),
                "value": 100,
                "preemptionPolicy": "Never",
                "globalDefault": False,
                "description": f"Training jobs of {self.namespace.namespace}; "
                f"a quota admits {self.concurrent_jobs} at once.",
            },
            {
                "apiVersion": "v1",
                "kind": "ResourceQuota",
                "metadata": object_meta("training-jobs", self.namespace.namespace, labels),
                "spec": {
                    "hard": dict(sorted(self.job_quota().items())),
                    "scopeSelector": {
                        "matchExpressions": [
                            {"scopeName": "PriorityClass", "operator": "In", "values": [self.priority_class]}
                        ]
                    },
                },
            },
        ]
        for part in (*self.services, *self.backups, self.monitoring, self.ingress):
            out += part.manifests()
        out.append(self._registry())
        return out

    def _registry(self) -> Manifest:
        """What the platform integrator reads: each service's endpoint and the workflow."""
        registry = {
            "workflow": list(WORKFLOW),
            "max_concurrent_jobs": self.concurrent_jobs,
            "gpus_per_job": self.job.gpus,
            "job_priority_class": self.priority_class,
            "services": {
                spec.name: {
                    "component": spec.service.component,
                    "endpoint": f"http://{spec.name}.{spec.namespace}.svc:{spec.pod.http_port}",
                    "grpc": f"{spec.name}.{spec.namespace}.svc:{spec.pod.grpc_port}",
                    "api_docs": f"http://{spec.name}.{spec.namespace}.svc:{spec.pod.http_port}/openapi.json",
                }
                for spec in self.services
            },
        }
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": object_meta("platform-integrator", self.namespace.namespace, self.identity.labels()),
            "data": {"registry.yaml": yaml.safe_dump(registry, sort_keys=True, default_flow_style=False)},
        }


def _times(quantity: str, count: int) -> str:
    """quantity x count as a plain quantity ("4" x 10 -> "40", "16Gi" x 10 -> "160Gi")."""
    for suffix in ("Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "m"):
        if quantity.endswith(suffix) and quantity[: -len(suffix)].isdigit():
            return f"{int(quantity[: -len(suffix)]) * count}{suffix}"
    value = parse_quantity(quantity) * count
    return str(value.normalize() if value != value.to_integral() else int(value))


class TrainingPlatform(PlatformComponent):
    """The Pulumi component of the fine-tuning platform."""

    TYPE: ClassVar[str] = "agent-platform:training_platform:TrainingPlatform"
