"""The platform of one stage as component specs: components(env) -> [spec].

The one place that knows how the model maps onto component families; the Pulumi program and
the pipeline's renderer both start here, so what is deployed is what is rendered.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from components.agent_service import AgentServiceSpec, DatabaseAccess
from components.ingress import IngressSpec, Route
from components.meta import AppIdentity, Manifest
from components.monitoring import (
    MonitoringSpec,
    agent_platform_alerts,
    service_panels,
    training_alerts,
    training_panels,
)
from components.platform_namespace import PlatformNamespaceSpec
from components.postgres_backup import PostgresBackupSpec
from components.resource import ComponentSpec
from components.secrets import SecretItem, SecretsSpec
from components.tenant import TenantRegistryEntry, TenantSpec
from components.training_platform import TrainingPlatformSpec
from model.environment import Environment, LimitRangeSettings, Plan, RemoteRef, Service, Tenant
from model.merge import deep_merge

TRAINING_PART_OF = "model-training"


def components(env: Environment) -> list[ComponentSpec]:
    """Every component of the stage, agent platform first, then the training platform."""
    ns = env.namespace_name
    part_of = env.platform.part_of
    services = _service_specs(env, env.services, ns, part_of)
    return [
        _namespace(env, ns, part_of, env.namespace.quota, env.namespace.limit_range),
        _secrets(env, env.services, ns, part_of),
        *services,
        *_backups(env, env.services, ns, part_of),
        _monitoring(
            env,
            services,
            ns,
            part_of,
            "AgentFlow platform",
            agent_platform_alerts(ns, env.monitoring.thresholds),
            service_panels(ns),
        ),
        _ingress(env, services, ns, part_of, env.ingress.platform_host),
        *(_tenant(env, tenant) for tenant in env.tenants),
        _training(env),
    ]


def manifests(env: Environment) -> list[Manifest]:
    """Every manifest of the stage, in component order."""
    return [manifest for spec in components(env) for manifest in spec.manifests()]


def _identity(
    env: Environment,
    part_of: str,
    component: str,
    name: str | None = None,
    tenant: str | None = None,
    named_by_tenant: bool = False,
) -> AppIdentity:
    """The app labels; the instance is <name>-<tenant>-<stage> for a tenant's own copy of an app.

    named_by_tenant: the name already says the tenant (tenant-acme): the instance does not repeat it
    (a label value is 63 characters at most, and the tenant's name is most of them).
    """
    name = name or part_of
    instance = f"{name}-{tenant}-{env.stage}" if tenant and not named_by_tenant else f"{name}-{env.stage}"
    return AppIdentity(
        name=name,
        instance=instance,
        version=env.release.version,
        component=component,
        part_of=part_of,
        tenant=tenant,
    )


def _namespace(
    env: Environment, ns: str, part_of: str, quota, limit_range: LimitRangeSettings, tenant: str | None = None
) -> PlatformNamespaceSpec:
    return PlatformNamespaceSpec(
        namespace=ns,
        identity=_identity(env, part_of, "namespace", tenant=tenant),
        pod_security=env.platform.pod_security,
        pod_security_version=env.platform.pod_security_version,
        quota=quota,
        limit_range=limit_range,
        dns=env.network.dns,
    )


def _credentials_secret(database: str) -> str:
    return f"postgres-{database.replace('_', '-')}-credentials"


def _service_specs(
    env: Environment, family: tuple[Service, ...], ns: str, part_of: str, tenant: Tenant | None = None
) -> list[AgentServiceSpec]:
    specs = []
    for service in family:
        config: dict[str, Any] = {
            "config.yaml": deep_merge(env.release.config.get("common", {}), env.release.config.get(service.name, {}))
        }
        if tenant is not None:
            config["tenant.yaml"] = {"tenant": tenant.name, **_limits(tenant)}
        if service.tenant_registry:
            # Plans only: the tenants are registry ConfigMaps of their own (TenantSpec.registry_entry),
            # read through the API, so adding a tenant creates objects and restarts nothing.
            config["plans.yaml"] = {"plans": {name: _limits(plan) for name, plan in sorted(env.plans.items())}}
        database = None
        if service.database:
            database = DatabaseAccess(
                env.postgres.host, env.postgres.port, service.database, _credentials_secret(service.database)
            )
        specs.append(
            AgentServiceSpec(
                service=service,
                namespace=ns,
                stage=env.stage,
                part_of=part_of,
                pod=env.pod,
                availability=env.availability,
                dns=env.network.dns,
                egress_targets={name: env.network.egress_targets[name] for name in service.egress},
                ingress_namespace_labels=env.network.ingress_namespace_labels,
                scrape_namespace=env.network.scrape_namespace,
                callers=tuple(other.name for other in family if service.name in other.calls),
                config_files=config,
                database=database,
                tenant=tenant.name if tenant else None,
            )
        )
    return specs


def _limits(plan: Plan | Tenant) -> dict[str, Any]:
    """What tenant-service and a tenant's own services read of a plan or tenant: its limits and features."""
    return {
        "max_concurrent_agents": plan.max_concurrent_agents,
        "max_tasks_per_minute": plan.max_tasks_per_minute,
        "features": list(plan.features),
    }


def _secrets(
    env: Environment, family: tuple[Service, ...], ns: str, part_of: str, tenant: str | None = None
) -> SecretsSpec:
    """The ExternalSecrets the namespace's services use: their declared secrets and database credentials.

    A tenant's database credentials are its own (<credentials key>/tenants/<tenant>/<database>):
    the platform's databases are shared, its logins are not.
    """
    used = sorted({ref.secret for service in family for ref in service.secret_env.values()})
    items = [SecretItem(name, tuple(sorted(env.secrets.items[name].items()))) for name in used]
    credentials = env.postgres.credentials_remote_key + (f"/tenants/{tenant}" if tenant else "")
    for service in family:
        if service.database:
            remote = f"{credentials}/{service.database}"
            items.append(
                SecretItem(
                    _credentials_secret(service.database),
                    (("password", RemoteRef(remote, "password")), ("username", RemoteRef(remote, "username"))),
                )
            )
    return SecretsSpec(
        namespace=ns,
        identity=_identity(env, part_of, "secrets", tenant=tenant),
        store=env.secrets.store,
        refresh_interval=env.secrets.refresh_interval,
        items=tuple(items),
    )


def _backups(env: Environment, family: tuple[Service, ...], ns: str, part_of: str) -> list[PostgresBackupSpec]:
    postgres_target = env.network.egress_targets["postgres"]
    return [
        PostgresBackupSpec(
            database=service.database,
            namespace=ns,
            identity=_identity(env, part_of, "backup", f"postgres-backup-{service.database.replace('_', '-')}"),
            backup=env.backup,
            host=env.postgres.host,
            port=env.postgres.port,
            credentials_secret=_credentials_secret(service.database),
            pod=env.pod,
            dns=env.network.dns,
            postgres=postgres_target,
        )
        for service in family
        if service.database
    ]


def _monitoring(
    env: Environment, services: list[AgentServiceSpec], ns: str, part_of: str, title: str, alerts, panels
) -> MonitoringSpec:
    return MonitoringSpec(
        namespace=ns,
        identity=_identity(env, part_of, "monitoring"),
        monitored=tuple(spec.identity for spec in services),
        scrape_interval_seconds=env.monitoring.scrape_interval_seconds,
        alert_groups=alerts,
        dashboard_title=f"{title} ({env.stage})",
        panels=panels,
    )


def _ingress(env: Environment, services: list[AgentServiceSpec], ns: str, part_of: str, host: str) -> IngressSpec:
    routes = tuple(
        Route(spec.service.ingress_path, spec.name, env.pod.http_port) for spec in services if spec.service.ingress_path
    )
    return IngressSpec(
        ingress_name=part_of,
        namespace=ns,
        identity=_identity(env, part_of, "ingress"),
        host=host,
        class_name=env.ingress.class_name,
        cluster_issuer=env.ingress.cluster_issuer,
        ssl_redirect=env.ingress.ssl_redirect,
        routes=routes,
    )


def _tenant(env: Environment, tenant: Tenant) -> TenantSpec:
    """A dedicated tenant: its namespace sized from its plan, its secrets and its own service instances.

    Its services call only each other (a call to a service the tenant does not run is dropped):
    the tenant's NetworkPolicies then admit no pod outside its namespace on gRPC.
    """
    ns = env.tenant_namespace_name(tenant)
    part_of = env.platform.part_of
    present = {service.name for service in tenant.services}
    family = tuple(
        dataclasses.replace(service, calls=tuple(c for c in service.calls if c in present), ingress_path=None)
        for service in tenant.services
    )
    limit_range = tenant.limit_range or env.namespace.limit_range
    return TenantSpec(
        tenant=tenant.name,
        registry=TenantRegistryEntry(
            namespace=env.namespace_name,
            identity=_identity(
                env, part_of, "tenant-registry", f"tenant-{tenant.name}", tenant.name, named_by_tenant=True
            ),
            content={"tenant": tenant.name, "plan": tenant.plan, "namespace": ns, **_limits(tenant)},
        ),
        namespace=_namespace(env, ns, part_of, tenant.quota, limit_range, tenant.name),
        secrets=_secrets(env, family, ns, part_of, tenant.name),
        services=tuple(_service_specs(env, family, ns, part_of, tenant)),
    )


def _training(env: Environment) -> TrainingPlatformSpec:
    training = env.training
    ns = env.training_namespace_name
    services = _service_specs(env, training.services, ns, TRAINING_PART_OF)
    return TrainingPlatformSpec(
        namespace=_namespace(env, ns, TRAINING_PART_OF, training.quota, training.limit_range),
        identity=_identity(env, TRAINING_PART_OF, "integrator"),
        concurrent_jobs=training.concurrent_jobs,
        job=training.job,
        services=tuple(services),
        backups=tuple(_backups(env, training.services, ns, TRAINING_PART_OF)),
        secrets=_secrets(env, training.services, ns, TRAINING_PART_OF),
        monitoring=_monitoring(
            env,
            services,
            ns,
            TRAINING_PART_OF,
            "Model training platform",
            training_alerts(ns, training.thresholds),
            training_panels(ns),
        ),
        ingress=_ingress(env, services, ns, TRAINING_PART_OF, env.ingress.training_host),
    )
