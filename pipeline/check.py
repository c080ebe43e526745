"""pipeline check, the pure part: schema check and policy run over a stage's manifests.

check_stage renders a stage and judges it with the stage's own policy config (findings point
at the stage-file key behind them); pipeline.manifest_check judges manifests a user brings.
Both return a StageCheck (pipeline.verdict) that every report format renders; nothing here
prints or writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.identity import ResourceId, resource_id
from kube.workloads import title
from model.environment import Environment
from model.errors import Location
from pipeline.kube_schema import SchemaProblem
from pipeline.kube_schema import check_manifests as schema_check
from pipeline.locate import locate
from pipeline.policy_config import ENFORCEMENT_KEY, policy_config
from pipeline.policy_run import Finding, run_policies
from pipeline.render import manifest_file, render_manifests
from pipeline.verdict import Located, StageCheck
from policies.rules import PLATFORM, RULES


def enabled(config: Mapping[str, Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(rule_id for rule_id in RULES if config.get(rule_id, {}).get(ENFORCEMENT_KEY) != "disabled")


def check_stage(env: Environment, rendered_dir: str = "rendered", manifests: list | None = None) -> StageCheck:
    """Check a stage's manifests (rendered here unless given); findings point at the stage file key where they can."""
    manifests = list(render_manifests(env)) if manifests is None else manifests
    config = policy_config(env)
    by_id = {resource_id(m): m for m in manifests}
    findings = run_policies(manifests, config, env.stage)
    problems = schema_check(manifests)  # no duplicate identities: render_manifests refuses them

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
        env.stage, len(manifests), enabled(config), tuple(problems), tuple(findings), locations, schema_locations
    )


# What a rule raises when an object is not the shape the schema gives it (a list where a mapping goes).
_SHAPE_ERRORS = (TypeError, AttributeError, KeyError, ValueError, IndexError, ArithmeticError)


def judged(
    manifests: list[dict[str, Any]],
    config: Mapping[str, Mapping[str, Any]],
    stage: str,
    problems: list[SchemaProblem],
    profile: str = PLATFORM,
) -> tuple[list[Finding], list[SchemaProblem]]:
    """The rules' findings over any manifests, and a problem on each object a rule could not judge.

    The rules read objects the schema check accepts. When one fails on an object the schema
    check rejected, that rule (and only it) judges the valid objects alone, and each invalid
    object says so; a rule failing on valid objects still fails (a bug, exit 3).
    """
    try:
        return run_policies(manifests, config, stage, profile=profile), []
    except _SHAPE_ERRORS:
        pass
    invalid = {p.resource_id for p in problems if p.resource_id is not None}
    valid = [m for m in manifests if resource_id(m) not in invalid]
    findings: list[Finding] = []
    skipped = []
    for rule in RULES.values():
        if config.get(rule.ID, {}).get(ENFORCEMENT_KEY) == "disabled":
            continue
        try:
            findings += run_policies(manifests, config, stage, [rule], profile)
        except _SHAPE_ERRORS:
            if len(valid) == len(manifests):
                raise
            findings += run_policies(valid, config, stage, [rule], profile)
            skipped.append(rule.ID)
    notes = [
        SchemaProblem(
            title(m),
            resource_id(m),
            "",
            f"not judged by {', '.join(skipped)}: the rule needs an object that validates (fix the problems above)",
        )
        for m in manifests
        if resource_id(m) in invalid
    ]
    return findings, notes
