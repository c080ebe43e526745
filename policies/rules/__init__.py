"""The registry of rules: every rule module by its id (an explicit list, no discovery).

Each module has ID, DESCRIPTION, REMEDIATION, ENFORCEMENT (advisory | mandatory | disabled),
SCOPE (resource | stack), OPTIONS (option -> JSON Schema with a default) and validate(args,
report_violation); its docstring documents the rule with PASS and FAIL examples.

Two profiles judge manifests. The platform profile is every rule, at the enforcement a stage
gives it, with REMEDIATION pointing at the stage files. The generic profile judges foreign
manifests (a vendor chart, an operator's YAML): only the rules that hold for any workload, each
at its module's GENERIC enforcement (None: a convention of this platform, left out), with
MANIFEST_REMEDIATION saying the fix in the manifest's own fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from policies.rules import (  # noqa: I001 - grouped by theme below
    backup_concurrency,
    backup_coverage,
    backup_rpo,
    config_rollout,
    container_resources,
    default_deny,
    dns_egress,
    egress_ports,
    failure_detection,
    image_digest,
    image_registry,
    image_tag,
    ingress_tls,
    limit_range_ratio,
    liveness_probe,
    min_replicas,
    namespace_guardrails,
    no_allow_all_ingress,
    no_secret_literals,
    no_secret_objects,
    pdb_coverage,
    prestop_within_grace,
    pss_apparmor,
    pss_capabilities,
    pss_host_namespaces,
    pss_host_path,
    pss_host_ports,
    pss_host_probes,
    pss_host_process,
    pss_namespace_labels,
    pss_namespace_policy,
    pss_privilege_escalation,
    pss_privileged,
    pss_proc_mount,
    pss_run_as_non_root,
    pss_run_as_user,
    pss_seccomp,
    pss_selinux,
    pss_sysctls,
    pss_volume_types,
    quota_fits_hpa_maxima,
    rbac_cluster_admin,
    rbac_escalation_verbs,
    rbac_privileged_token,
    rbac_read_all_secrets,
    rbac_wildcards,
    read_only_root_filesystem,
    readiness_interval,
    readiness_probe,
    scale_up_response,
    secrets_from_external_secrets,
    service_account_token,
    spread_and_anti_affinity,
    startup_budget,
    tenant_isolation,
    training_job_quota,
    workload_network_policy,
)


@dataclass(frozen=True)
class Theme:
    """A family of rules: what code scanning files them under and how severe a security finding is."""

    name: str
    tags: tuple[str, ...]  # SARIF rule tags; "security" puts a rule in GitHub's security view
    security_severity: str | None  # GitHub's 0.0-10.0 scale (7.0+ high, 9.0+ critical); None: not security
    modules: tuple[ModuleType, ...]


THEMES: tuple[Theme, ...] = (
    Theme(
        "Pod Security Standards, baseline",
        ("security", "pod-security"),
        "8.0",
        (
            pss_host_process,
            pss_host_namespaces,
            pss_privileged,
            pss_host_path,
            pss_host_ports,
            pss_host_probes,
            pss_apparmor,
            pss_selinux,
            pss_proc_mount,
            pss_sysctls,
        ),
    ),
    Theme(
        "Pod Security Standards, restricted",
        ("security", "pod-security"),
        "7.0",
        (
            pss_volume_types,
            pss_privilege_escalation,
            pss_run_as_non_root,
            pss_run_as_user,
            pss_seccomp,
            pss_capabilities,
        ),
    ),
    Theme(
        "Pod Security Standards, namespace policy",
        ("security", "pod-security"),
        "4.0",
        (
            pss_namespace_labels,
            pss_namespace_policy,
        ),
    ),
    Theme(
        "stricter than the standards",
        ("security", "pod-security"),
        "6.0",
        (
            read_only_root_filesystem,
            service_account_token,
        ),
    ),
    Theme(
        "RBAC",
        ("security", "rbac"),
        "8.0",
        (
            rbac_wildcards,
            rbac_escalation_verbs,
            rbac_cluster_admin,
            rbac_read_all_secrets,
            rbac_privileged_token,
        ),
    ),
    Theme(
        "images",
        ("security", "supply-chain"),
        "7.0",
        (
            image_tag,
            image_digest,
            image_registry,
        ),
    ),
    Theme(
        "secrets",
        ("security", "secrets"),
        "8.5",
        (
            no_secret_objects,
            no_secret_literals,
            secrets_from_external_secrets,
        ),
    ),
    Theme(
        "resources and quotas",
        ("reliability", "resources"),
        None,
        (
            container_resources,
            limit_range_ratio,
            namespace_guardrails,
            quota_fits_hpa_maxima,
            training_job_quota,
        ),
    ),
    Theme(
        "network",
        ("security", "network"),
        "7.0",
        (
            default_deny,
            workload_network_policy,
            egress_ports,
            dns_egress,
            no_allow_all_ingress,
            tenant_isolation,
        ),
    ),
    Theme(
        "availability",
        ("reliability", "availability"),
        None,
        (
            min_replicas,
            pdb_coverage,
            spread_and_anti_affinity,
            prestop_within_grace,
            liveness_probe,
            readiness_probe,
        ),
    ),
    Theme(
        "the platform's targets (REFERENCE.md section 8)",
        ("reliability", "targets"),
        None,
        (
            readiness_interval,
            failure_detection,
            scale_up_response,
            startup_budget,
            backup_rpo,
            config_rollout,
        ),
    ),
    Theme("ingress", ("security", "network"), "6.0", (ingress_tls,)),
    Theme("backup", ("reliability", "backup"), None, (backup_coverage, backup_concurrency)),
)
_MODULES: tuple[ModuleType, ...] = tuple(module for theme in THEMES for module in theme.modules)

RULES: dict[str, ModuleType] = {module.ID: module for module in _MODULES}
PLATFORM, GENERIC = "platform", "generic"
PROFILES = (PLATFORM, GENERIC)
GENERIC_RULES: dict[str, ModuleType] = {module.ID: module for module in _MODULES if module.GENERIC}
THEME_OF: dict[str, Theme] = {module.ID: theme for theme in THEMES for module in theme.modules}
if len(RULES) != len(_MODULES):
    raise ImportError("two rule modules share an ID")


def profile_rules(profile: str) -> dict[str, ModuleType]:
    """The rules a profile judges by, by id, in the registry's order."""
    return GENERIC_RULES if profile == GENERIC else RULES


def remediation(module: ModuleType, profile: str = PLATFORM) -> str:
    """A rule's fix text as the profile says it: stage-file keys, or the manifest's own fields."""
    return module.MANIFEST_REMEDIATION if profile == GENERIC else module.REMEDIATION


class UnknownRule(KeyError):
    """A rule id that no module has."""


def rule(rule_id: str) -> ModuleType:
    """The rule module with this id."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise UnknownRule(f"unknown policy rule {rule_id!r}; known: {', '.join(sorted(RULES))}") from None
