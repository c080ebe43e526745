"""TrainingPlatform: the model fine-tuning platform in a namespace of its own.

Its namespace's quota admits exactly the stage's concurrent training jobs (job count and GPUs),
beside the fine-tuning, compression, optimisation, evaluation, data and serving services, their
backups, secrets, alerts and dashboard, and the integrator registry that declares the
train -> optimise -> deploy workflow.
"""

from __future__ import annotations

import dataclasses
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

GPU_RESOURCE = "nvidia.com/gpu"
WORKFLOW = ("train", "optimise", "deploy")


@dataclass(frozen=True)
class TrainingPlatformSpec:
    """The training platform of a stage, composed of the other families' specs."""

    namespace: PlatformNamespaceSpec
    identity: AppIdentity
    concurrent_jobs: int
    gpus_per_job: int
    services: tuple[AgentServiceSpec, ...]
    backups: tuple[PostgresBackupSpec, ...]
    secrets: SecretsSpec
    monitoring: MonitoringSpec
    ingress: IngressSpec

    @property
    def name(self) -> str:
        return self.namespace.namespace

    def job_quota(self) -> dict[str, str]:
        """Quota entries that admit exactly concurrent_jobs training Jobs and their GPUs."""
        quota = {"count/jobs.batch": str(self.concurrent_jobs)}
        if self.gpus_per_job:
            quota[f"requests.{GPU_RESOURCE}"] = str(self.concurrent_jobs * self.gpus_per_job)
        return quota

    def manifests(self) -> list[Manifest]:
        """Namespace with the job quota, services, backups, secrets, monitoring, ingress, registry."""
        namespace = dataclasses.replace(self.namespace, quota={**self.namespace.quota, **self.job_quota()})
        out = namespace.manifests() + self.secrets.manifests()
        for part in (*self.services, *self.backups, self.monitoring, self.ingress):
            out += part.manifests()
        out.append(self._registry())
        return out

    def _registry(self) -> Manifest:
        """What the platform integrator reads: each service's endpoint and the workflow."""
        registry = {
            "workflow": list(WORKFLOW),
            "max_concurrent_jobs": self.concurrent_jobs,
            "gpus_per_job": self.gpus_per_job,
            "services": {spec.name: {
                "component": spec.service.component,
                "endpoint": f"http://{spec.name}.{spec.namespace}.svc:{spec.pod.http_port}",
                "grpc": f"{spec.name}.{spec.namespace}.svc:{spec.pod.grpc_port}",
                "api_docs": f"http://{spec.name}.{spec.namespace}.svc:{spec.pod.http_port}/openapi.json",
            } for spec in self.services},
        }
        return {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": object_meta("platform-integrator", self.namespace.namespace, self.identity.labels()),
                "data": {"registry.yaml": yaml.safe_dump(registry, sort_keys=True, default_flow_style=False)}}


class TrainingPlatform(PlatformComponent):
    """The Pulumi component of the fine-tuning platform."""

    TYPE: ClassVar[str] = "agent-platform:training_platform:TrainingPlatform"
