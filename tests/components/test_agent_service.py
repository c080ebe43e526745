"""AgentService: the Deployment and everything a service runs with, asserted by value.

Expected values are REFERENCE.md's production values as the stage files resolve them
(environments/defaults.yaml, prod.yaml); where dev or staging differ they are asserted too.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json

import jsonschema
import pytest
import yaml

from components.agent_service import AgentServiceSpec, _yaml_file
from model.environment import Availability
from stacks.platform import components
from tests.conftest import REPOSITORY, find

PROD_NS = "agent-platform-prod"
AGENT_SERVICES = (
    "agent-service",
    "task-service",
    "tool-service",
    "user-service",
    "tenant-service",
    "cost-service",
    "monitoring-service",
)
VERSION_LABEL = "app.kubernetes.io/version"


def deployment(rendered, stage: str, name: str) -> dict:
    return find(rendered[stage].manifests, "Deployment", name, f"agent-platform-{stage}")


def pod_spec(rendered, stage: str, name: str) -> dict:
    return deployment(rendered, stage, name)["spec"]["template"]["spec"]


def container(rendered, stage: str, name: str) -> dict:
    containers = pod_spec(rendered, stage, name)["containers"]
    assert len(containers) == 1
    return containers[0]


def service_spec(env, name: str) -> AgentServiceSpec:
    """The AgentServiceSpec of a service of the agent platform, built by stacks.platform."""
    specs = [s for s in components(env) if isinstance(s, AgentServiceSpec) and s.name == name]
    assert len(specs) == 1
    return specs[0]


def env_value(container_: dict, name: str) -> dict:
    matches = [e for e in container_["env"] if e["name"] == name]
    assert len(matches) == 1, f"{name} is set {len(matches)} times"
    return matches[0]


# --- Deployment: probes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "probe, path, initial, period, timeout, failures",
    [
        # The guide: 15/20/5/3. Period 10 s (defaults.yaml): 20 s x 3 misses the 30 s failure-detection target.
        ("livenessProbe", "/health", 15, 5, 5, 3),
        # The guide: 5/10/3/3. Period 5 s (defaults.yaml): the health-check interval target is < 10 s.
        ("readinessProbe", "/ready", 5, 5, 3, 3),
        # The guide: 10/10/5/30. 24 failures (defaults.yaml): 10 + 30 x 10 = 310 s is over the 5 min recovery target.
        ("startupProbe", "/health", 10, 10, 5, 24),
    ],
)
def test_prod_probe_is_http_get_on_named_port_with_stage_numbers(
    rendered, probe, path, initial, period, timeout, failures
):
    assert container(rendered, "prod", "agent-service")[probe] == {
        "httpGet": {"path": path, "port": "http", "scheme": "HTTP"},
        "initialDelaySeconds": initial,
        "periodSeconds": period,
        "timeoutSeconds": timeout,
        "failureThreshold": failures,
        "successThreshold": 1,
    }


def test_probe_port_name_is_the_containers_8080_port(rendered):
    ports = {p["name"]: p["containerPort"] for p in container(rendered, "prod", "agent-service")["ports"]}
    assert ports == {"http": 8080, "grpc": 9090}


def test_probe_deviations_from_the_guide_meet_the_targets(environments):
    """The documented deviations (defaults.yaml comments) are what make the stage meet section 8's targets."""
    env = environments["prod"]
    probes, targets = env.pod.probes, env.targets
    assert probes.liveness.period_seconds * probes.liveness.failure_threshold <= targets.failure_detection_seconds
    assert probes.readiness.period_seconds < targets.health_check_interval_seconds
    startup = probes.startup
    assert (
        startup.initial_delay_seconds + startup.period_seconds * startup.failure_threshold <= targets.recovery_seconds
    )


def test_liveness_detects_a_dead_container_in_under_30_seconds(rendered):
    liveness = container(rendered, "prod", "agent-service")["livenessProbe"]
    assert liveness["periodSeconds"] * liveness["failureThreshold"] + liveness["timeoutSeconds"] < 30


def test_health_check_interval_of_liveness_is_under_10_seconds(rendered):
    assert container(rendered, "prod", "agent-service")["livenessProbe"]["periodSeconds"] < 10


# --- Deployment: security, shutdown, resources ---------------------------------------------------


@pytest.mark.parametrize("name", AGENT_SERVICES)
def test_prod_pod_security_context(rendered, name):
    assert pod_spec(rendered, "prod", name)["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 1000,
        "runAsGroup": 1000,
        "fsGroup": 1000,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


@pytest.mark.parametrize("name", AGENT_SERVICES)
def test_prod_container_security_context(rendered, name):
    context = container(rendered, "prod", name)["securityContext"]
    assert context["allowPrivilegeEscalation"] is False
    assert context["readOnlyRootFilesystem"] is True
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["privileged"] is False
    assert context["runAsNonRoot"] is True


def test_read_only_root_has_a_writable_size_capped_tmp(rendered):
    spec = pod_spec(rendered, "prod", "agent-service")
    assert {"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}} in spec["volumes"]
    assert {"name": "tmp", "mountPath": "/tmp"} in container(rendered, "prod", "agent-service")["volumeMounts"]


def test_termination_grace_period_is_60_seconds(rendered):
    assert pod_spec(rendered, "prod", "agent-service")["terminationGracePeriodSeconds"] == 60


def test_pre_stop_sleeps_10_seconds(rendered):
    assert container(rendered, "prod", "agent-service")["lifecycle"] == {"preStop": {"sleep": {"seconds": 10}}}


def test_pre_stop_sleep_fits_inside_the_grace_period(rendered):
    spec = pod_spec(rendered, "prod", "agent-service")
    sleep = spec["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert sleep < spec["terminationGracePeriodSeconds"]


@pytest.mark.parametrize(
    "stage, name, requests, limits",
    [
        ("prod", "agent-service", {"cpu": "500m", "memory": "1Gi"}, {"cpu": "1000m", "memory": "2Gi"}),
        ("prod", "task-service", {"cpu": "500m", "memory": "512Mi"}, {"cpu": "2000m", "memory": "2Gi"}),
        ("prod", "monitoring-service", {"cpu": "500m", "memory": "512Mi"}, {"cpu": "2000m", "memory": "2Gi"}),
        ("staging", "agent-service", {"cpu": "250m", "memory": "256Mi"}, {"cpu": "1", "memory": "1Gi"}),
        ("dev", "agent-service", {"cpu": "100m", "memory": "128Mi"}, {"cpu": "500m", "memory": "512Mi"}),
    ],
)
def test_resources_per_stage_file(rendered, stage, name, requests, limits):
    assert container(rendered, stage, name)["resources"] == {"requests": requests, "limits": limits}


def test_container_is_named_after_the_service_and_runs_the_released_image(rendered, environments):
    c = container(rendered, "prod", "agent-service")
    assert c["name"] == "agent"
    assert c["image"] == environments["prod"].release.images["agent-service"]


# --- Deployment: placement -----------------------------------------------------------------------


def test_prod_requires_anti_affinity_on_hostname(rendered):
    spec = pod_spec(rendered, "prod", "agent-service")
    assert spec["affinity"]["podAntiAffinity"] == {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {
                "labelSelector": {
                    "matchLabels": {
                        "app.kubernetes.io/name": "agent-service",
                        "app.kubernetes.io/instance": "agent-service-prod",
                    }
                },
                "topologyKey": "kubernetes.io/hostname",
            }
        ]
    }


def test_prod_spreads_over_zones_with_max_skew_1_do_not_schedule(rendered):
    assert pod_spec(rendered, "prod", "agent-service")["topologySpreadConstraints"] == [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "DoNotSchedule",
            "minDomains": 3,
            "labelSelector": {
                "matchLabels": {
                    "app.kubernetes.io/name": "agent-service",
                    "app.kubernetes.io/instance": "agent-service-prod",
                }
            },
        }
    ]


def test_prod_pods_stay_inside_the_three_zones(rendered):
    affinity = pod_spec(rendered, "prod", "agent-service")["affinity"]["nodeAffinity"]
    terms = affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [
        {
            "matchExpressions": [
                {
                    "key": "topology.kubernetes.io/zone",
                    "operator": "In",
                    "values": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
                }
            ]
        }
    ]


def test_staging_prefers_anti_affinity_and_spreads_schedule_anyway(rendered):
    spec = pod_spec(rendered, "staging", "agent-service")
    preferred = spec["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert [(p["weight"], p["podAffinityTerm"]["topologyKey"]) for p in preferred] == [(100, "kubernetes.io/hostname")]
    (constraint,) = spec["topologySpreadConstraints"]
    assert (constraint["whenUnsatisfiable"], constraint["maxSkew"]) == ("ScheduleAnyway", 1)
    assert "minDomains" not in constraint  # minDomains is only valid with DoNotSchedule


def test_dev_has_no_anti_affinity_and_no_spread(rendered):
    spec = pod_spec(rendered, "dev", "agent-service")
    assert "affinity" not in spec
    assert "topologySpreadConstraints" not in spec


def test_availability_none_removes_placement_and_required_adds_it(environments):
    env = environments["prod"]
    none = dataclasses.replace(env, availability=Availability("none", "none", ()))
    required = dataclasses.replace(env, availability=Availability("required", "DoNotSchedule", ("a", "b", "c")))
    spec_none = service_spec(none, "agent-service")._deployment()["spec"]["template"]["spec"]
    spec_required = service_spec(required, "agent-service")._deployment()["spec"]["template"]["spec"]
    assert "affinity" not in spec_none and "topologySpreadConstraints" not in spec_none
    assert spec_required["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert spec_required["topologySpreadConstraints"][0]["minDomains"] == 3


# --- Deployment: replicas, strategy --------------------------------------------------------------


@pytest.mark.parametrize("stage", ["dev", "staging", "prod"])
def test_no_replicas_when_an_hpa_owns_the_count(rendered, stage):
    assert "replicas" not in deployment(rendered, stage, "agent-service")["spec"]
    find(rendered[stage].manifests, "HorizontalPodAutoscaler", "agent-service", f"agent-platform-{stage}")


def test_autoscaling_disabled_gives_fixed_replicas_and_no_hpa(environments):
    spec = service_spec(environments["prod"], "agent-service")
    fixed = dataclasses.replace(
        spec.service, replicas=4, autoscaling=dataclasses.replace(spec.service.autoscaling, enabled=False)
    )
    manifests = dataclasses.replace(spec, service=fixed).manifests()
    assert find(manifests, "Deployment", "agent-service")["spec"]["replicas"] == 4
    assert [m for m in manifests if m["kind"] == "HorizontalPodAutoscaler"] == []


def test_rolling_update_never_drops_below_the_desired_count(rendered):
    assert deployment(rendered, "prod", "agent-service")["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0},
    }


# --- ConfigMap and its checksum ------------------------------------------------------------------


def test_config_map_holds_the_release_config(rendered):
    config_map = find(rendered["prod"].manifests, "ConfigMap", "agent-service-config", PROD_NS)
    config = yaml.safe_load(config_map["data"]["config.yaml"])
    assert config["agent"]["max_iterations"] == 15
    assert config["llm"] == {
        "provider": "openai",
        "model": "gpt-4o",
        "temperature": 0.7,
        "max_tokens": 2000,
        "timeout_seconds": 60,
        "max_retries": 3,
        "retry_backoff_seconds": 2,
    }
    assert config["log_format"] == "json"  # the common part is merged in


def test_config_map_is_mounted_read_only_at_the_config_dir(rendered):
    c = container(rendered, "prod", "agent-service")
    assert {"name": "config", "mountPath": "/etc/agentflow", "readOnly": True} in c["volumeMounts"]
    assert {"name": "config", "configMap": {"name": "agent-service-config"}} in pod_spec(
        rendered, "prod", "agent-service"
    )["volumes"]
    assert env_value(c, "CONFIG_DIR") == {"name": "CONFIG_DIR", "value": "/etc/agentflow"}


@pytest.mark.parametrize("name", AGENT_SERVICES)
def test_checksum_annotation_is_sha256_of_the_mounted_config_maps(rendered, name):
    data = find(rendered["prod"].manifests, "ConfigMap", f"{name}-config", PROD_NS)["data"]
    mounted = {f"{name}-config": data}
    expected = hashlib.sha256(json.dumps(mounted, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    annotations = deployment(rendered, "prod", name)["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"checksum/config": expected}


def test_checksum_changes_when_the_release_config_changes(environments):
    env = environments["prod"]
    config = {name: dict(value) for name, value in env.release.config.items()}
    config["agent-service"] = {
        **config["agent-service"],
        "agent": {**config["agent-service"]["agent"], "max_iterations": 20},
    }
    changed = dataclasses.replace(env, release=dataclasses.replace(env.release, config=config))

    def checksum_of(e):
        return service_spec(e, "agent-service")._deployment()["spec"]["template"]["metadata"]["annotations"][
            "checksum/config"
        ]

    assert checksum_of(env) == checksum_of(environments["prod"])  # stable for the same input
    assert checksum_of(changed) != checksum_of(env)


def test_checksum_of_another_service_is_untouched_by_agent_service_config(environments):
    env = environments["prod"]
    config = {name: dict(value) for name, value in env.release.config.items()}
    config["agent-service"] = {**config["agent-service"], "agent": {"max_iterations": 99}}
    changed = dataclasses.replace(env, release=dataclasses.replace(env.release, config=config))

    def checksum_of(e):
        return service_spec(e, "task-service")._deployment()["spec"]["template"]["metadata"]["annotations"][
            "checksum/config"
        ]

    assert checksum_of(changed) == checksum_of(env)


# --- Service, ServiceAccount, RBAC ---------------------------------------------------------------


def test_service_exposes_http_and_grpc_and_selects_the_deployments_pods(rendered):
    service = find(rendered["prod"].manifests, "Service", "agent-service", PROD_NS)
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"},
        {"name": "grpc", "port": 9090, "targetPort": "grpc", "protocol": "TCP"},
    ]
    assert (
        service["spec"]["selector"] == deployment(rendered, "prod", "agent-service")["spec"]["selector"]["matchLabels"]
    )


API_USERS = ("monitoring-service", "tenant-service")  # pods and endpoints; the tenants' registry ConfigMaps


@pytest.mark.parametrize("name, automount", [(name, name in API_USERS) for name in AGENT_SERVICES])
def test_service_account_token_is_mounted_only_for_api_users(rendered, name, automount):
    account = find(rendered["prod"].manifests, "ServiceAccount", name, PROD_NS)
    assert account["automountServiceAccountToken"] is automount
    spec = pod_spec(rendered, "prod", name)
    assert spec["automountServiceAccountToken"] is automount
    assert spec["serviceAccountName"] == name


def test_monitoring_service_role_reads_pods_and_endpoints_only(rendered):
    role = find(rendered["prod"].manifests, "Role", "monitoring-service", PROD_NS)
    assert role["rules"] == [{"apiGroups": [""], "resources": ["pods", "endpoints"], "verbs": ["get", "list", "watch"]}]


def test_monitoring_service_role_binding_binds_its_own_account(rendered):
    binding = find(rendered["prod"].manifests, "RoleBinding", "monitoring-service", PROD_NS)
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "monitoring-service"}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "monitoring-service", "namespace": PROD_NS}]


def test_only_the_api_users_have_rbac_in_the_agent_namespace(rendered):
    rbac = sorted(
        (m["kind"], m["metadata"]["name"])
        for m in rendered["prod"].manifests
        if m["kind"] in ("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")
        and m["metadata"].get("namespace") == PROD_NS
    )
    assert rbac == sorted((kind, name) for kind in ("Role", "RoleBinding") for name in API_USERS)


# --- HorizontalPodAutoscaler ---------------------------------------------------------------------


def hpa(rendered, stage: str, name: str) -> dict:
    return find(rendered[stage].manifests, "HorizontalPodAutoscaler", name, f"agent-platform-{stage}")


def test_hpa_targets_the_deployment(rendered):
    manifest = hpa(rendered, "prod", "agent-service")
    assert manifest["apiVersion"] == "autoscaling/v2"
    assert manifest["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "agent-service",
    }


@pytest.mark.parametrize("name", AGENT_SERVICES)
def test_hpa_scales_on_cpu_70_and_memory_80(rendered, name):
    resources = [m["resource"] for m in hpa(rendered, "prod", name)["spec"]["metrics"] if m["type"] == "Resource"]
    assert resources == [
        {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
        {"name": "memory", "target": {"type": "Utilization", "averageUtilization": 80}},
    ]


@pytest.mark.parametrize("name, average", [("agent-service", "100"), ("task-service", "30")])
def test_hpa_scales_on_queue_length(rendered, name, average):
    external = [m["external"] for m in hpa(rendered, "prod", name)["spec"]["metrics"] if m["type"] == "External"]
    assert external == [
        {
            "metric": {"name": "nats_consumer_num_pending", "selector": {"matchLabels": {"consumer": name}}},
            "target": {"type": "AverageValue", "averageValue": average},
        }
    ]


@pytest.mark.parametrize(
    "name", ["tool-service", "user-service", "tenant-service", "cost-service", "monitoring-service"]
)
def test_hpa_of_a_service_without_a_queue_has_no_external_metric(rendered, name):
    assert [m["type"] for m in hpa(rendered, "prod", name)["spec"]["metrics"]] == ["Resource", "Resource"]


@pytest.mark.parametrize(
    "stage, name, minimum, maximum",
    [
        ("prod", "agent-service", 3, 20),
        ("prod", "task-service", 5, 20),
        ("prod", "tool-service", 3, 20),
        ("prod", "user-service", 2, 10),
        ("prod", "tenant-service", 2, 10),
        ("prod", "cost-service", 2, 10),
        ("prod", "monitoring-service", 2, 4),  # never 1 in prod: one replica is a single point of failure
        ("staging", "agent-service", 2, 6),
        ("dev", "agent-service", 1, 2),
    ],
)
def test_hpa_bounds_per_stage_file(rendered, stage, name, minimum, maximum):
    spec = hpa(rendered, stage, name)["spec"]
    assert (spec["minReplicas"], spec["maxReplicas"]) == (minimum, maximum)


def test_hpa_scale_down_is_slow(rendered):
    assert hpa(rendered, "prod", "agent-service")["spec"]["behavior"]["scaleDown"] == {
        "stabilizationWindowSeconds": 300,
        "selectPolicy": "Max",
        "policies": [{"type": "Percent", "value": 10, "periodSeconds": 60}],
    }


def test_hpa_scale_up_is_immediate_and_takes_the_larger_step(rendered):
    assert hpa(rendered, "prod", "agent-service")["spec"]["behavior"]["scaleUp"] == {
        "stabilizationWindowSeconds": 0,
        "selectPolicy": "Max",
        "policies": [
            {"type": "Percent", "value": 100, "periodSeconds": 15},
            {"type": "Pods", "value": 4, "periodSeconds": 15},
        ],
    }


# --- PodDisruptionBudget -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, min_available",
    [
        ("agent-service", 2),
        ("task-service", 3),
        ("tool-service", 2),
        ("user-service", 1),
        ("tenant-service", 1),
        ("cost-service", 1),
        ("monitoring-service", 1),
    ],
)
def test_prod_pdb_min_available(rendered, name, min_available):
    spec = find(rendered["prod"].manifests, "PodDisruptionBudget", name, PROD_NS)["spec"]
    assert spec["minAvailable"] == min_available
    assert "maxUnavailable" not in spec


@pytest.mark.parametrize("name", AGENT_SERVICES)
def test_pdb_selects_the_deployments_pods(rendered, name):
    pdb = find(rendered["prod"].manifests, "PodDisruptionBudget", name, PROD_NS)
    assert pdb["spec"]["selector"] == deployment(rendered, "prod", name)["spec"]["selector"]


@pytest.mark.parametrize("name", AGENT_SERVICES)
def test_prod_pdb_leaves_room_for_a_voluntary_disruption(rendered, name):
    """minAvailable below the HPA minimum: a node drain can always evict one pod."""
    pdb = find(rendered["prod"].manifests, "PodDisruptionBudget", name, PROD_NS)
    assert pdb["spec"]["minAvailable"] < hpa(rendered, "prod", name)["spec"]["minReplicas"]


def test_dev_has_no_pdb(rendered):
    assert [
        m
        for m in rendered["dev"].manifests
        if m["kind"] == "PodDisruptionBudget" and m["metadata"]["namespace"] == "agent-platform-dev"
    ] == []


# --- NetworkPolicy -------------------------------------------------------------------------------


def policy(rendered, name: str = "agent-service") -> dict:
    return find(rendered["prod"].manifests, "NetworkPolicy", name, PROD_NS)["spec"]


def test_network_policy_selects_the_deployments_pods_both_ways(rendered):
    spec = policy(rendered)
    assert spec["podSelector"] == deployment(rendered, "prod", "agent-service")["spec"]["selector"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]


def test_ingress_from_allowed_namespaces_and_prometheus_on_8080_callers_on_grpc(rendered):
    http = [{"protocol": "TCP", "port": 8080}]
    grpc = [{"protocol": "TCP", "port": 9090}]
    assert policy(rendered)["ingress"] == [
        {"from": [{"namespaceSelector": {"matchLabels": {"network-policy": "allow-agentflow"}}}], "ports": http},
        {
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}],
            "ports": http,
        },
        {
            "from": [
                {
                    "podSelector": {
                        "matchLabels": {
                            "app.kubernetes.io/name": caller,
                            "app.kubernetes.io/instance": f"{caller}-prod",
                        }
                    }
                }
                for caller in ("task-service", "monitoring-service")
            ],
            "ports": grpc,
        },
    ]


def test_egress_to_kube_dns_on_53_udp_and_tcp(rendered):
    assert policy(rendered)["egress"][0] == {
        "to": [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
            }
        ],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    }


@pytest.mark.parametrize("port", [5432, 6379])
def test_egress_to_postgres_and_redis(rendered, port):
    assert {"ports": [{"protocol": "TCP", "port": port}]} in policy(rendered)["egress"]


def test_egress_https_only_to_public_addresses(rendered):
    assert {
        "ports": [{"protocol": "TCP", "port": 443}],
        "to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]}}],
    } in policy(rendered)["egress"]


def test_egress_to_callees_on_grpc(rendered):
    assert policy(rendered)["egress"][-1] == {
        "to": [
            {
                "podSelector": {
                    "matchLabels": {"app.kubernetes.io/name": callee, "app.kubernetes.io/instance": f"{callee}-prod"}
                }
            }
            for callee in ("task-service", "tool-service", "cost-service")
        ],
        "ports": [{"protocol": "TCP", "port": 9090}],
    }


def test_egress_ports_are_exactly_the_declared_ones(rendered):
    """DNS, HTTPS, NATS, PostgreSQL, Redis, OTLP tracing, gRPC to callees: nothing else."""
    ports = {(p["protocol"], p["port"]) for rule in policy(rendered)["egress"] for p in rule["ports"]}
    assert ports == {
        ("UDP", 53),
        ("TCP", 53),
        ("TCP", 443),
        ("TCP", 4222),
        ("TCP", 5432),
        ("TCP", 6379),
        ("TCP", 4317),
        ("TCP", 9090),
    }


def test_every_egress_rule_names_ports(rendered):
    for name in AGENT_SERVICES:
        assert all(rule.get("ports") for rule in policy(rendered, name)["egress"]), name


# --- Environment: secrets only by reference ------------------------------------------------------


def test_pgpassword_comes_from_the_databases_credentials_secret(rendered):
    c = container(rendered, "prod", "agent-service")
    assert env_value(c, "PGPASSWORD") == {
        "name": "PGPASSWORD",
        "valueFrom": {"secretKeyRef": {"name": "postgres-agents-credentials", "key": "password"}},
    }
    assert env_value(c, "PGUSER") == {
        "name": "PGUSER",
        "valueFrom": {"secretKeyRef": {"name": "postgres-agents-credentials", "key": "username"}},
    }


def test_database_location_is_plain_configuration(rendered):
    c = container(rendered, "prod", "agent-service")
    assert env_value(c, "PGHOST")["value"] == "postgres.data.svc.cluster.local"
    assert env_value(c, "PGPORT")["value"] == "5432"
    assert env_value(c, "PGDATABASE")["value"] == "agents"


@pytest.mark.parametrize(
    "variable, secret, key",
    [
        ("OPENAI_API_KEY", "llm-api-keys", "openai-api-key"),
        ("ANTHROPIC_API_KEY", "llm-api-keys", "anthropic-api-key"),
        ("REDIS_PASSWORD", "redis-credentials", "password"),
    ],
)
def test_api_keys_come_from_secret_key_refs(rendered, variable, secret, key):
    assert env_value(container(rendered, "prod", "agent-service"), variable)["valueFrom"] == {
        "secretKeyRef": {"name": secret, "key": key}
    }


@pytest.mark.parametrize("name", AGENT_SERVICES)
def test_no_literal_env_value_except_non_secret_settings(rendered, name):
    literal = {e["name"] for e in container(rendered, "prod", name)["env"] if "value" in e}
    assert literal <= {"CONFIG_DIR", "PGHOST", "PGPORT", "PGDATABASE"}


def test_service_without_a_database_gets_no_postgres_env(rendered):
    names = {e["name"] for e in container(rendered, "prod", "monitoring-service")["env"]}
    assert not names & {"PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD"}


# --- VerticalPodAutoscaler -----------------------------------------------------------------------

VPA_SCHEMA = json.loads(
    (REPOSITORY / "kube" / "crd_schemas" / "autoscaling.k8s.io_v1_VerticalPodAutoscaler.json").read_text()
)


@pytest.mark.parametrize("stage", ["staging", "prod"])
def test_vpa_recommends_within_the_cost_guide_bounds(rendered, stage):
    vpa = find(rendered[stage].manifests, "VerticalPodAutoscaler", "agent-service", f"agent-platform-{stage}")
    assert vpa["spec"] == {
        "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "agent-service"},
        "updatePolicy": {"updateMode": "Off"},
        "resourcePolicy": {
            "containerPolicies": [
                {
                    "containerName": "agent",
                    "controlledResources": ["cpu", "memory"],
                    "minAllowed": {"cpu": "100m", "memory": "128Mi"},
                    "maxAllowed": {"cpu": "4", "memory": "4Gi"},
                }
            ]
        },
    }


@pytest.mark.parametrize("stage", ["staging", "prod"])
def test_every_agent_platform_service_has_a_vpa(rendered, stage):
    names = {
        m["metadata"]["name"]
        for m in rendered[stage].manifests
        if m["kind"] == "VerticalPodAutoscaler" and m["metadata"]["namespace"] == f"agent-platform-{stage}"
    }
    assert names == set(AGENT_SERVICES)


def test_dev_has_no_vpa(rendered):
    assert [m for m in rendered["dev"].manifests if m["kind"] == "VerticalPodAutoscaler"] == []


def test_vpa_disabled_gives_no_vpa(environments):
    spec = service_spec(environments["prod"], "agent-service")
    off = dataclasses.replace(spec.service, vpa=dataclasses.replace(spec.service.vpa, enabled=False))
    assert [m for m in dataclasses.replace(spec, service=off).manifests() if m["kind"] == "VerticalPodAutoscaler"] == []


@pytest.mark.parametrize("stage", ["staging", "prod"])
def test_vpas_are_valid_against_the_crd_schema(rendered, stage):
    for vpa in (m for m in rendered[stage].manifests if m["kind"] == "VerticalPodAutoscaler"):
        jsonschema.validate(vpa, VPA_SCHEMA, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize(
    "content",
    [
        {"agent": {"max_iterations": 15}, "features": ["a", "b"]},
        {1: "integer key", "b": (1, 2)},  # not JSON-shaped: dumped directly, not from the cache
        {"when": datetime.date(2026, 11, 24)},
    ],
)
def test_config_files_are_the_yaml_of_their_content_cached_or_not(content):
    expected = yaml.safe_dump(content, sort_keys=True, default_flow_style=False)
    assert _yaml_file(content) == expected
    assert _yaml_file(content) == expected  # the second time from the cache where it may be
