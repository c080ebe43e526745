"""The policy pack run offline: the same rule functions, called the way CrossGuard calls them.

Each manifest becomes what the Pulumi engine would hand the analyzer: its type token
(kubernetes:apps/v1:Deployment), its camelCase props, a URN, and pulumi_policy's own
ResourceValidationArgs / StackValidationArgs carrying the rule's config.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from pulumi_policy.policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)

from kube.identity import ResourceId, pulumi_name, resource_id, type_token
from kube.pod_security import namespace_policies
from kube.workloads import title
from pipeline.policy_config import ENFORCEMENT_KEY
from policies.framework import Violation
from policies.pod_security import with_declared
from policies.rules import PLATFORM, RULES, remediation

PROJECT = "agent-platform"
_OPTIONS = PolicyResourceOptions(
    protect=False,
    ignore_changes=[],
    delete_before_replace=None,
    aliases=[],
    custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
    additional_secret_outputs=[],
)


@dataclass(frozen=True)
class Finding:
    """A violation of a rule at an enforcement level, with the rule's fix."""

    rule_id: str
    enforcement: str  # advisory | mandatory
    resource: str  # Kind namespace/name
    path: str
    observed: str
    expected: str
    remediation: str
    resource_id: ResourceId | None  # None for a violation of the stack as a whole

    @property
    def mandatory(self) -> bool:
        return self.enforcement == "mandatory"

    def message(self) -> str:
        where = f"{self.resource} {self.path}".rstrip()
        return f"{where}: is {self.observed}, must be {self.expected}."

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule_id,
            "enforcement": self.enforcement,
            "resource": self.resource,
            "path": self.path,
            "observed": self.observed,
            "expected": self.expected,
            "message": self.message(),
            "remediation": self.remediation,
            "resource_id": id_as_dict(self.resource_id),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """The inverse of as_dict (the message is derived)."""
        return cls(
            data["rule"],
            data["enforcement"],
            data["resource"],
            data["path"],
            data["observed"],
            data["expected"],
            data["remediation"],
            id_from_dict(data.get("resource_id")),
        )


def id_as_dict(rid: ResourceId | None) -> dict[str, str] | None:
    """A resource identity as JSON (None stays None: a violation of the stack as a whole)."""
    if rid is None:
        return None
    return {"group": rid.group, "kind": rid.kind, "namespace": rid.namespace, "name": rid.name}


def id_from_dict(data: Mapping[str, str] | None) -> ResourceId | None:
    if data is None:
        return None
    return ResourceId(data["group"], data["kind"], data["namespace"], data["name"])


class _Collector:
    """The report_violation callback: records structured violations (and plain messages)."""

    def __init__(self, rule: ModuleType, enforcement: str, by_urn: Mapping[str, Mapping[str, Any]], profile: str):
        self.rule, self.enforcement, self.by_urn = rule, enforcement, by_urn
        self.remediation = remediation(rule, profile)
        self.findings: list[Finding] = []

    def record(self, violation: Violation) -> None:
        manifest = self.by_urn.get(violation.urn or "")
        self.findings.append(
            Finding(
                self.rule.ID,
                self.enforcement,
                violation.resource,
                violation.path,
                violation.observed,
                violation.expected,
                self.remediation,
                resource_id(manifest) if manifest else None,
            )
        )

    def __call__(self, message: str, urn: str | None = None) -> None:  # a rule reporting plain text
        manifest = self.by_urn.get(urn or "")
        self.findings.append(
            Finding(
                self.rule.ID,
                self.enforcement,
                title(manifest) if manifest else "stack",
                "",
                message,
                "",
                self.remediation,
                resource_id(manifest) if manifest else None,
            )
        )


def urn_of(manifest: Mapping[str, Any], stack: str) -> str:
    """The URN the engine would give the manifest (parent types aside)."""
    token = type_token(manifest["apiVersion"], manifest["kind"])
    return f"urn:pulumi:{stack}::{PROJECT}::{token}::{pulumi_name(manifest)}"


def run_policies(
    manifests: Iterable[Mapping[str, Any]],
    config: Mapping[str, Mapping[str, Any]],
    stack: str = "stage",
    rules: Iterable[ModuleType] | None = None,
    profile: str = PLATFORM,
) -> list[Finding]:
    """Every violation of every enabled rule over the manifests, resource rules and stack rules alike.

    The profile picks the fix text each finding carries (policies.rules.remediation).
    """
    manifests = list(manifests)
    by_urn = {urn_of(m, stack): m for m in manifests}
    resources = [(urn, type_token(m["apiVersion"], m["kind"]), m, pulumi_name(m)) for urn, m in by_urn.items()]
    stack_resources: list[PolicyResource] | None = None  # built once, for the first stack rule
    # The Pod Security level and version of each namespace the input declares (policies.pod_security).
    declared = namespace_policies(manifests)
    findings: list[Finding] = []
    for rule in rules if rules is not None else RULES.values():
        settings = dict(config.get(rule.ID) or {})
        enforcement = settings.pop(ENFORCEMENT_KEY, rule.ENFORCEMENT)
        if enforcement == "disabled":
            continue
        options = with_declared(
            {name: settings.get(name, spec.get("default")) for name, spec in rule.OPTIONS.items()}, declared
        )
        collector = _Collector(rule, enforcement, by_urn, profile)
        if rule.SCOPE == "resource":
            validate = rule.validate
            for urn, token, manifest, name in resources:
                validate(ResourceValidationArgs(token, manifest, urn, name, _OPTIONS, None, options), collector)
        else:
            if stack_resources is None:
                stack_resources = [
                    PolicyResource(token, manifest, urn, name, _OPTIONS, None, None, [], {})
                    for urn, token, manifest, name in resources
                ]
            # Each rule gets its own list (of the same read-only resources), as under Pulumi.
            rule.validate(StackValidationArgs(list(stack_resources), options), collector)
        findings += collector.findings
    return findings
