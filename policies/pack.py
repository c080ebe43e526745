"""The rules as pulumi_policy Policy objects, and the PolicyPack the Pulumi CLI talks to."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyPack,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

from policies.rules import RULES

PACK_NAME = "agent-platform"


def _with_remediation(rule: ModuleType) -> Callable[[Any, Callable[..., None]], None]:
    """The rule's validate, its messages ending with the fix (the CLI shows messages first)."""

    def validate(args: Any, report_violation: Callable[..., None]) -> None:
        def report(message: str, urn: str | None = None) -> None:
            report_violation(f"{message} Fix: {rule.REMEDIATION}", urn)

        rule.validate(args, report)

    return validate


def build_policy(rule: ModuleType) -> Policy:
    """One rule module as a CrossGuard policy."""
    kind = ResourceValidationPolicy if rule.SCOPE == "resource" else StackValidationPolicy
    schema = (
        PolicyConfigSchema(properties={name: dict(spec) for name, spec in rule.OPTIONS.items()})
        if rule.OPTIONS
        else None
    )
    return kind(
        name=rule.ID,
        description=rule.DESCRIPTION,
        validate=_with_remediation(rule),
        enforcement_level=EnforcementLevel(rule.ENFORCEMENT),
        config_schema=schema,
        remediation_steps=rule.REMEDIATION,
        tags=list(getattr(rule, "TAGS", ())),
    )


def build_policies(rules: Iterable[ModuleType] | None = None) -> list[Policy]:
    """Every rule of the registry as a Policy, in registry order."""
    return [build_policy(rule) for rule in (rules if rules is not None else RULES.values())]


def serve() -> None:
    """Start the analyzer the Pulumi CLI talks to: prints its port, then blocks."""
    PolicyPack(name=PACK_NAME, policies=build_policies(), enforcement_level=EnforcementLevel.ADVISORY)
