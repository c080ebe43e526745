"""A stage's policy configuration: enforcement per rule and the option values the stage declares.

The same dict drives `pipeline check` and is written to policies/config/<stage>.json for
`pulumi preview --policy-pack policies --policy-pack-config policies/config/<stage>.json`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from kube.pod_security import namespace_policies
from model.environment import Environment
from model.errors import InputError, Problem
from policies.pod_security import NAMESPACES_OPTION, VERSION_OPTION
from policies.rules import GENERIC_RULES, RULES
from stacks.platform import manifests as stage_manifests

ENFORCEMENT_KEY = "enforcementLevel"


def stage_options(env: Environment) -> dict[str, Any]:
    """Every rule option's value as this stage declares it (targets, bounds, allow-lists)."""
    targets = env.targets
    ports = sorted(
        {p.port for target in env.network.egress_targets.values() for p in target.ports}
        | {53, env.pod.http_port, env.pod.grpc_port, 443, 6443}
    )
    return {
        "require_digest": env.policy.require_digest,
        "registries": list(env.policy.registries),
        "min_replicas": env.policy.min_replicas,
        "require_spread": env.policy.require_spread,
        "zones": len(env.availability.zones),
        "rpo_minutes": targets.rpo_minutes,
        "health_check_interval_seconds": targets.health_check_interval_seconds,
        "failure_detection_seconds": targets.failure_detection_seconds,
        "scale_up_seconds": targets.scale_up_seconds,
        "recovery_seconds": targets.recovery_seconds,
        "allowed_egress_ports": ports,
        "training_namespace": env.training_namespace_name,
        "concurrent_jobs": env.training.concurrent_jobs,
        "gpus_per_job": env.training.job.gpus,
        VERSION_OPTION: env.platform.pod_security_version,
        # Under CrossGuard a workload's rule cannot see its Namespace: the stage's own namespaces are the config's.
        NAMESPACES_OPTION: namespace_policies(stage_manifests(env)),
    }


def policy_config(env: Environment, rules: Iterable[ModuleType] | None = None) -> dict[str, dict[str, Any]]:
    """{rule id: {"enforcementLevel": ..., option: value}} for every rule, as Pulumi reads it."""
    rules = list(rules if rules is not None else RULES.values())
    known = {rule.ID for rule in rules}
    unknown = sorted(set(env.policy.enforcement) - known)
    if unknown:
        raise InputError([_unknown_rule(env, rule_id, sorted(known)) for rule_id in unknown])
    values = stage_options(env)
    config: dict[str, dict[str, Any]] = {}
    for rule in rules:
        entry: dict[str, Any] = {ENFORCEMENT_KEY: env.policy.enforcement.get(rule.ID, rule.ENFORCEMENT)}
        for name, spec in rule.OPTIONS.items():
            entry[name] = values.get(name, spec.get("default"))
        config[rule.ID] = entry
    return config


def generic_config() -> dict[str, dict[str, Any]]:
    """The generic profile's config: its rules at their GENERIC enforcement and default options, the rest off."""
    return {
        rule.ID: {
            ENFORCEMENT_KEY: rule.GENERIC if rule.ID in GENERIC_RULES else "disabled",
            **{name: spec.get("default") for name, spec in rule.OPTIONS.items()},
        }
        for rule in RULES.values()
    }


def with_option(config: dict[str, dict[str, Any]], name: str, value: Any) -> dict[str, dict[str, Any]]:
    """The config with option name set to value for every rule that has it (a command-line setting)."""
    return {rule_id: {**entry, name: value} if name in entry else entry for rule_id, entry in config.items()}


def config_json(config: dict[str, dict[str, Any]]) -> str:
    """The config file's text: sorted, indented, newline-terminated (stable for review)."""
    return json.dumps(config, indent=2, sort_keys=True) + "\n"


def unknown_rule_hint(rule_id: str, known: Iterable[str] = RULES) -> str:
    """The hint for a rule id no rule has: the closest known id, and where they are all listed."""
    close = difflib.get_close_matches(rule_id, list(known), n=1)
    return (f"did you mean {close[0]!r}? " if close else "") + "pipeline docs lists every rule in docs/policies.md"


def _unknown_rule(env: Environment, rule_id: str, known: list[str]) -> Problem:
    path = ("policy", "enforcement", rule_id)
    return Problem(
        env.source.locate(path) if env.source else None,
        ".".join(path),
        f"unknown policy rule {rule_id!r}",
        unknown_rule_hint(rule_id, known),
    )
