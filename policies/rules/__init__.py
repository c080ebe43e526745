"""The registry of rules: every rule module by its id (an explicit list, no discovery).

Each module has ID, DESCRIPTION, REMEDIATION, ENFORCEMENT (advisory | mandatory | disabled),
SCOPE (resource | stack), OPTIONS (option -> JSON Schema with a default) and validate(args,
report_violation); its docstring documents the rule with PASS and FAIL examples.
"""

from __future__ import annotations

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
    read_only_root_filesystem,
    readiness_interval,
    scale_up_response,
    secrets_from_external_secrets,
    service_account_token,
    spread_and_anti_affinity,
    startup_budget,
    tenant_isolation,
    training_job_quota,
    workload_network_policy,
)

_MODULES: tuple[ModuleType, ...] = (
    # Pod Security Standards, baseline
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
    # Pod Security Standards, restricted
    pss_volume_types,
    pss_privilege_escalation,
    pss_run_as_non_root,
    pss_run_as_user,
    pss_seccomp,
    pss_capabilities,
    # stricter than the standards
    read_only_root_filesystem,
    service_account_token,
    # images
    image_tag,
    image_digest,
    image_registry,
    # secrets
    no_secret_objects,
    no_secret_literals,
    secrets_from_external_secrets,
    # resources and quotas
    container_resources,
    limit_range_ratio,
    namespace_guardrails,
    quota_fits_hpa_maxima,
    training_job_quota,
    # network
    default_deny,
    workload_network_policy,
    egress_ports,
    dns_egress,
    no_allow_all_ingress,
    tenant_isolation,
    # availability
    min_replicas,
    pdb_coverage,
    spread_and_anti_affinity,
    prestop_within_grace,
    # the platform's targets (REFERENCE.md section 8)
    readiness_interval,
    failure_detection,
    scale_up_response,
    startup_budget,
    backup_rpo,
    config_rollout,
    # ingress and backup
    ingress_tls,
    backup_coverage,
    backup_concurrency,
)

RULES: dict[str, ModuleType] = {module.ID: module for module in _MODULES}
if len(RULES) != len(_MODULES):
    raise ImportError("two rule modules share an ID")


class UnknownRule(KeyError):
    """A rule id that no module has."""


def rule(rule_id: str) -> ModuleType:
    """The rule module with this id."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise UnknownRule(f"unknown policy rule {rule_id!r}; known: {', '.join(sorted(RULES))}") from None
