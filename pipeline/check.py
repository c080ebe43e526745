"""pipeline check, the pure part: schema check and policy run over a stage's manifests.

check_stage renders a stage and judges it with the stage's own policy config; check_manifests
judges any manifests with a stage's config. Both return a StageCheck that every report format
renders; nothing here prints or writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kube.identity import ResourceId, resource_id
from model.environment import Environment
from model.errors import Location
from pipeline.kube_schema import SchemaProblem
from pipeline.kube_schema import check_manifests as schema_check
from pipeline.locate import locate
from pipeline.manifest_input import SourcedManifest
from pipeline.policy_config import policy_config
from pipeline.policy_run import Finding, run_policies
from pipeline.render import manifest_file, render_stage
from policies.rules import RULES


@dataclass(frozen=True)
class Located:
    """Where a finding points: a file position and, for stage files, the key path."""

    location: Location
    key_path: str = ""


@dataclass(frozen=True)
class StageCheck:
    """The verdict on one stage's manifests."""

    stage: str
    resources: int
    rules: tuple[str, ...]  # enabled rule ids
    schema_problems: tuple[SchemaProblem, ...]
    findings: tuple[Finding, ...]
    locations: Mapping[int, Located] = field(default_factory=dict)  # index in findings -> where
    schema_locations: Mapping[int, Located] = field(default_factory=dict)

    @property
    def mandatory_failures(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.mandatory)

    @property
    def advisories(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.mandatory)

    @property
    def passed(self) -> bool:
        """No mandatory violation and no schema problem."""
        return not self.mandatory_failures and not self.schema_problems


def _enabled(config: Mapping[str, Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(rule_id for rule_id in RULES if config.get(rule_id, {}).get("enforcementLevel") != "disabled")


def check_stage(env: Environment, rendered_dir: str = "rendered", manifests: list | None = None) -> StageCheck:
    """Check a stage's manifests (rendered here unless given); findings point at the stage file key where they can."""
    manifests = list(render_stage(env).manifests) if manifests is None else manifests
    config = policy_config(env)
    by_id = {resource_id(m): m for m in manifests}
    findings = run_policies(manifests, config, env.stage)
    problems = schema_check(manifests)

    def where(rid: ResourceId | None, path: str) -> Located | None:
        manifest = by_id.get(rid) if rid else None
        found = locate(env, manifest, path)
        if found:
            return Located(found[0], found[1])
        if manifest is not None:
            return Located(Location(f"{rendered_dir}/{env.stage}/{manifest_file(manifest)}", 1, 1))
        return None

    locations = {i: spot for i, f in enumerate(findings) if (spot := where(f.resource_id, f.path))}
    schema_locations = {i: spot for i, p in enumerate(problems) if (spot := where(p.resource_id, p.path))}
    return StageCheck(
        env.stage, len(manifests), _enabled(config), tuple(problems), tuple(findings), locations, schema_locations
    )


def check_manifests(sourced: list[SourcedManifest], env: Environment) -> StageCheck:
    """Check any manifests with the stage's policy config; stack rules see them all together."""
    manifests = [s.manifest for s in sourced]
    config = policy_config(env)
    origin: dict[ResourceId, Location] = {}
    for s in sourced:
        origin.setdefault(resource_id(s.manifest), s.location)
    findings = run_policies(manifests, config, env.stage)
    problems = schema_check(manifests)
    locations = {i: Located(origin[f.resource_id]) for i, f in enumerate(findings) if f.resource_id in origin}
    schema_locations = {i: Located(origin[p.resource_id]) for i, p in enumerate(problems) if p.resource_id in origin}
    return StageCheck(
        env.stage, len(manifests), _enabled(config), tuple(problems), tuple(findings), locations, schema_locations
    )
