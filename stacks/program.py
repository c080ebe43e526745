"""The Pulumi program of a stage: each component spec becomes its ComponentResource."""

from __future__ import annotations

from pathlib import Path

import pulumi

from components.agent_service import AgentService, AgentServiceSpec
from components.ingress import Ingress, IngressSpec
from components.monitoring import Monitoring, MonitoringSpec
from components.platform_namespace import PlatformNamespace, PlatformNamespaceSpec
from components.postgres_backup import PostgresBackup, PostgresBackupSpec
from components.resource import PlatformComponent
from components.secrets import Secrets, SecretsSpec
from components.tenant import Tenant, TenantSpec
from components.training_platform import TrainingPlatform, TrainingPlatformSpec
from model.environment import Environment
from model.loader import load_environment
from stacks.kubernetes_adapter import register_manifest
from stacks.platform import components

# Which ComponentResource registers which spec family (an explicit table, no registration magic).
COMPONENT_TYPES: dict[type, type[PlatformComponent]] = {
    PlatformNamespaceSpec: PlatformNamespace,
    SecretsSpec: Secrets,
    AgentServiceSpec: AgentService,
    PostgresBackupSpec: PostgresBackup,
    MonitoringSpec: Monitoring,
    IngressSpec: Ingress,
    TenantSpec: Tenant,
    TrainingPlatformSpec: TrainingPlatform,
}

REPOSITORY = Path(__file__).resolve().parent.parent


def deploy(env: Environment) -> list[PlatformComponent]:
    """Register every component of the stage with the Pulumi engine."""
    deployed = [COMPONENT_TYPES[type(spec)](spec, register_manifest) for spec in components(env)]
    pulumi.export("stage", env.stage)
    pulumi.export("release", env.release.version)
    pulumi.export(
        "namespaces",
        [env.namespace_name, *(env.tenant_namespace_name(t) for t in env.tenants), env.training_namespace_name],
    )
    return deployed


def main() -> None:
    """The stack's name is the stage; the stage files come from the `environments` config key."""
    config = pulumi.Config()
    directory = Path(config.get("environments") or REPOSITORY / "environments")
    if not directory.is_absolute():
        directory = REPOSITORY / directory
    env = load_environment(directory, pulumi.get_stack())
    prefix = config.get("namespacePrefix")
    if prefix and prefix != env.platform.namespace_prefix:
        # A stack pointed at another stage's cluster or files must not deploy anything.
        raise pulumi.RunError(
            f"stack {pulumi.get_stack()} expects namespace prefix {prefix!r} but "
            f"{directory}/{env.stage}.yaml has {env.platform.namespace_prefix!r}"
        )
    deploy(env)
