"""AgentService: one service of the platform and everything it runs with.

Deployment (probes, pod security, anti-affinity and zone spread, preStop and grace period, a
config checksum on the pod template), Service, ServiceAccount (and a Role where the service
needs the Kubernetes API), ConfigMap with the release configuration, HPA (CPU, memory and the
task backlog as an External metric), PDB, NetworkPolicy (ingress from the allowed namespaces,
callers and Prometheus; egress to DNS, declared targets and callees) and a VPA where enabled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

import yaml

from components.checkov import API_TOKEN, HIGH_UID, SECRETS_AS_ENV, skip_annotations
from components.meta import AppIdentity, Manifest, object_meta
from components.network import dns_egress, namespace_selector, network_policy, target_egress
from components.pod import container_security_context, http_probe, placement, pod_security_context, tmp_volume
from components.resource import PlatformComponent
from kube.checksum import CONFIG_CHECKSUM_ANNOTATION, config_checksum
from kube.images import parse_image
from kube.lifecycle import STOPPED_ANNOTATION
from model.environment import Availability, Dns, EgressTarget, PodSettings, Service


@dataclass(frozen=True)
class DatabaseAccess:
    """A PostgreSQL database the service owns; credentials come from an ExternalSecret."""

    host: str
    port: int
    database: str
    credentials_secret: str  # keys: username, password


@dataclass(frozen=True)
class AgentServiceSpec:
    """One service in one namespace of a stage, with everything its manifests need resolved."""

    service: Service
    namespace: str
    stage: str
    part_of: str
    pod: PodSettings
    availability: Availability
    dns: Dns
    egress_targets: Mapping[str, EgressTarget]  # the targets this service uses, by name
    ingress_namespace_labels: Mapping[str, str]
    scrape_namespace: str
    callers: tuple[str, ...] = ()  # services in the namespace that call this one over gRPC
    config_files: Mapping[str, Any] = field(default_factory=dict)  # ConfigMap file name -> content
    database: DatabaseAccess | None = None
    tenant: str | None = None  # a dedicated tenant's instance of the service; None: the shared one

    @property
    def name(self) -> str:
        return self.service.name

    @property
    def identity(self) -> AppIdentity:
        return AppIdentity(
            name=self.service.name,
            instance=self._instance(self.service.name),
            version=parse_image(self.service.image).version,
            component=self.service.component,
            part_of=self.part_of,
            tenant=self.tenant,
        )

    def _instance(self, service: str) -> str:
        """agent-service-prod, or agent-service-acme-prod for tenant acme's own instance."""
        return f"{service}-{self.tenant}-{self.stage}" if self.tenant else f"{service}-{self.stage}"

    @property
    def container_name(self) -> str:
        """agent-service runs container "agent": how reviewers read containers[agent].image."""
        return self.service.name.removesuffix("-service")

    @property
    def config_map_name(self) -> str:
        return f"{self.service.name}-config"

    def config_data(self) -> dict[str, str]:
        """The ConfigMap's data: one YAML file per entry, keys sorted for stable checksums."""
        return {name: _yaml_file(content) for name, content in sorted(self.config_files.items())}

    def manifests(self) -> list[Manifest]:
        """Every Kubernetes object of the service."""
        out = [
            self._service_account(),
            *self._rbac(),
            self._config_map(),
            self._deployment(),
            self._service(),
            self._network_policy(),
        ]
        if self.service.autoscaled:
            out.append(self._hpa())
        pdb = self.service.pdb
        if pdb and pdb.enabled and (pdb.min_available is not None or pdb.max_unavailable is not None):
            out.append(self._pdb())
        if self.service.vpa and self.service.vpa.enabled:
            out.append(self._vpa())
        return out

    def _meta(self, name: str | None = None, annotations: dict[str, str] | None = None) -> dict[str, Any]:
        return object_meta(name or self.name, self.namespace, self.identity.labels(), annotations)

    def _service_account(self) -> Manifest:
        return {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": self._meta(),
            "automountServiceAccountToken": bool(self.service.api_access),
        }

    def _rbac(self) -> list[Manifest]:
        if not self.service.api_access:
            return []
        rules = [
            {"apiGroups": list(r.api_groups), "resources": list(r.resources), "verbs": list(r.verbs)}
            for r in self.service.api_access
        ]
        return [
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": self._meta(), "rules": rules},
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "RoleBinding",
                "metadata": self._meta(),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": self.name},
                "subjects": [{"kind": "ServiceAccount", "name": self.name, "namespace": self.namespace}],
            },
        ]

    def _config_map(self) -> Manifest:
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": self._meta(self.config_map_name),
            "data": self.config_data(),
        }

    def _env(self) -> list[dict[str, Any]]:
        env: list[dict[str, Any]] = [
            {"name": "CONFIG_DIR", "value": self.pod.config_mount_path},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        ]
        if self.database:
            db = self.database
            env += [
                {"name": "PGHOST", "value": db.host},
                {"name": "PGPORT", "value": str(db.port)},
                {"name": "PGDATABASE", "value": db.database},
                {"name": "PGUSER", "valueFrom": {"secretKeyRef": {"name": db.credentials_secret, "key": "username"}}},
                {
                    "name": "PGPASSWORD",
                    "valueFrom": {"secretKeyRef": {"name": db.credentials_secret, "key": "password"}},
                },
            ]
        for variable, ref in sorted(self.service.secret_env.items()):
            env.append({"name": variable, "valueFrom": {"secretKeyRef": {"name": ref.secret, "key": ref.key}}})
        for variable, value in sorted(self.service.env.items()):
            env.append({"name": variable, "value": _env_literal(value)})
        return env

    def _container(self) -> dict[str, Any]:
        probes = self.pod.probes
        _, tmp_mount = tmp_volume(self.pod)
        return {
            "name": self.container_name,
            "image": self.service.image,
            "imagePullPolicy": "IfNotPresent",
            "ports": [
                {"name": "http", "containerPort": self.pod.http_port, "protocol": "TCP"},
                {"name": "grpc", "containerPort": self.pod.grpc_port, "protocol": "TCP"},
            ],
            "env": self._env(),
            "resources": {
                "requests": self.service.resources.requests.as_dict(),
                "limits": self.service.resources.limits.as_dict(),
            },
            "livenessProbe": http_probe(probes.liveness),
            "readinessProbe": http_probe(probes.readiness),
            "startupProbe": http_probe(probes.startup),
            # The native sleep action needs no shell or sleep binary in the image.
            "lifecycle": {"preStop": {"sleep": {"seconds": self.pod.pre_stop_sleep_seconds}}},
            "securityContext": container_security_context(),
            "volumeMounts": [{"name": "config", "mountPath": self.pod.config_mount_path, "readOnly": True}, tmp_mount],
        }

    def _deployment(self) -> Manifest:
        selector = self.identity.selector()
        tmp, _ = tmp_volume(self.pod)
        pod_spec: dict[str, Any] = {
            "serviceAccountName": self.name,
            "automountServiceAccountToken": bool(self.service.api_access),
            "securityContext": pod_security_context(self.pod),
            "terminationGracePeriodSeconds": self.pod.termination_grace_period_seconds,
            "enableServiceLinks": False,
            "containers": [self._container()],
            "volumes": [{"name": "config", "configMap": {"name": self.config_map_name}}, tmp],
            **placement(selector, self.availability),
        }
        spec: dict[str, Any] = {
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": selector},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
            "template": {
                "metadata": {
                    "labels": self.identity.labels(),
                    "annotations": {
                        CONFIG_CHECKSUM_ANNOTATION: config_checksum({self.config_map_name: self.config_data()})
                    },
                },
                "spec": pod_spec,
            },
        }
        if not self.service.autoscaled:
            # With an HPA the replica count is the HPA's: declaring it here would reset it on every deploy.
            spec["replicas"] = self.service.replicas
        skips = [HIGH_UID]
        if self.database or self.service.secret_env:
            skips.append(SECRETS_AS_ENV)
        if self.service.api_access:
            skips.append(API_TOKEN)
        annotations = skip_annotations(*skips)
        if self.service.stopped is not None:
            annotations[STOPPED_ANNOTATION] = "true"
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": self._meta(annotations=annotations),
            "spec": spec,
        }

    def _service(self) -> Manifest:
        return {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": self._meta(),
            "spec": {
                "type": "ClusterIP",
                "selector": self.identity.selector(),
                "ports": [
                    {"name": "http", "port": self.pod.http_port, "targetPort": "http", "protocol": "TCP"},
                    {"name": "grpc", "port": self.pod.grpc_port, "targetPort": "grpc", "protocol": "TCP"},
                ],
            },
        }

    def _network_policy(self) -> Manifest:
        http = [{"protocol": "TCP", "port": self.pod.http_port}]
        grpc = [{"protocol": "TCP", "port": self.pod.grpc_port}]
        ingress = [
            {"from": [{"namespaceSelector": {"matchLabels": dict(self.ingress_namespace_labels)}}], "ports": http},
            {"from": [{"namespaceSelector": namespace_selector(self.scrape_namespace)}], "ports": http},
        ]
        if self.callers:
            ingress.append(
                {"from": [{"podSelector": {"matchLabels": self._peer(c)}} for c in self.callers], "ports": grpc}
            )
        egress = [dns_egress(self.dns)]
        egress += [target_egress(self.egress_targets[name]) for name in sorted(self.egress_targets)]
        if self.service.calls:
            egress.append(
                {"to": [{"podSelector": {"matchLabels": self._peer(c)}} for c in self.service.calls], "ports": grpc}
            )
        if self.service.api_access:
            egress.append({"ports": [{"protocol": "TCP", "port": 443}, {"protocol": "TCP", "port": 6443}]})
        return network_policy(
            self.name, self.namespace, self.identity.labels(), self.identity.selector(), ingress, egress
        )

    def _peer(self, service: str) -> dict[str, str]:
        return {"app.kubernetes.io/name": service, "app.kubernetes.io/instance": self._instance(service)}

    def _target(self) -> dict[str, str]:
        return {"apiVersion": "apps/v1", "kind": "Deployment", "name": self.name}

    def _hpa(self) -> Manifest:
        scaling = self.service.autoscaling
        metrics: list[dict[str, Any]] = [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": scaling.cpu_utilization},
                },
            },
            {
                "type": "Resource",
                "resource": {
                    "name": "memory",
                    "target": {"type": "Utilization", "averageUtilization": scaling.memory_utilization},
                },
            },
        ]
        if scaling.queue:
            metric: dict[str, Any] = {"name": scaling.queue.metric}
            if scaling.queue.selector:
                metric["selector"] = {"matchLabels": dict(scaling.queue.selector)}
            metrics.append(
                {
                    "type": "External",
                    "external": {
                        "metric": metric,
                        "target": {"type": "AverageValue", "averageValue": scaling.queue.average_value},
                    },
                }
            )
        behavior = scaling.behavior
        return {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": self._meta(),
            "spec": {
                "scaleTargetRef": self._target(),
                "minReplicas": scaling.min_replicas,
                "maxReplicas": scaling.max_replicas,
                "metrics": metrics,
                "behavior": {"scaleUp": _rules(behavior.scale_up), "scaleDown": _rules(behavior.scale_down)},
            },
        }

    def _pdb(self) -> Manifest:
        pdb = self.service.pdb
        spec: dict[str, Any] = {
            "selector": {"matchLabels": self.identity.selector()},
            # Lets a drain evict pods that are not ready anyway.
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
        }
        if pdb.min_available is not None:
            spec["minAvailable"] = pdb.min_available
        else:
            spec["maxUnavailable"] = pdb.max_unavailable
        return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": self._meta(), "spec": spec}

    def _vpa(self) -> Manifest:
        vpa = self.service.vpa
        policy: dict[str, Any] = {"containerName": self.container_name, "controlledResources": ["cpu", "memory"]}
        if vpa.min_allowed:
            policy["minAllowed"] = vpa.min_allowed.as_dict()
        if vpa.max_allowed:
            policy["maxAllowed"] = vpa.max_allowed.as_dict()
        return {
            "apiVersion": "autoscaling.k8s.io/v1",
            "kind": "VerticalPodAutoscaler",
            "metadata": self._meta(),
            "spec": {
                "targetRef": self._target(),
                "updatePolicy": {"updateMode": vpa.update_mode},
                "resourcePolicy": {"containerPolicies": [policy]},
            },
        }


def _rules(rules) -> dict[str, Any]:
    return {
        "stabilizationWindowSeconds": rules.stabilization_seconds,
        "selectPolicy": rules.select,
        "policies": [{"type": p.type, "value": p.value, "periodSeconds": p.period_seconds} for p in rules.policies],
    }


def _yaml_file(content: Any) -> str:
    """content as a YAML file, keys sorted; each distinct content is dumped once per process.

    A fleet's tenants share the release's config: PyYAML's pure-Python dumper on the same few
    documents for every tenant was a quarter of a fleet's render.
    """
    try:
        canonical = json.dumps(content, sort_keys=True)
    except (TypeError, ValueError):
        canonical = None
    if canonical is None or json.loads(canonical) != content:  # e.g. integer keys, tuples, dates: no cache
        return yaml.safe_dump(content, sort_keys=True, default_flow_style=False)
    return _dump(canonical)


@lru_cache(maxsize=4096)
def _dump(canonical: str) -> str:
    return yaml.safe_dump(json.loads(canonical), sort_keys=True, default_flow_style=False)


def _env_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class AgentService(PlatformComponent):
    """The Pulumi component of one service; its children are the spec's manifests."""

    TYPE: ClassVar[str] = "agent-platform:agent_service:AgentService"
