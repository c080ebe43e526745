"""pipeline check, the pure part: schema check and policy run over a stage's manifests.

check_stage renders a stage and judges it with the stage's own policy config; check_manifests
judges any manifests with a stage's config. Both return a StageCheck that every report format
renders; nothing here prints or writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kube.identity import ResourceId, resource_id
from kube.workloads import title
from model.environment import Environment
from model.errors import Location
from pipeline.kube_limits import duplicates
from pipeline.kube_schema import SchemaProblem
from pipeline.kube_schema import check_manifests as schema_check
from pipeline.locate import locate
from pipeline.manifest_input import SourcedManifest
from pipeline.policy_config import policy_config
from pipeline.policy_run import Finding, id_as_dict, id_from_dict, run_policies
from pipeline.render import manifest_file, render_manifests
from policies.rules import RULES


@dataclass(frozen=True)
class Located:
    """Where a finding points: a file position and, for stage files, the key path."""

    location: Location
    key_path: str = ""

    def as_dict(self) -> dict[str, Any]:
        loc = self.location
        return {"file": loc.file, "line": loc.line, "column": loc.column, "key_path": self.key_path or None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Located:
        return cls(Location(data["file"], data["line"], data["column"]), data.get("key_path") or "")


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
    tenants: tuple[str, ...] = ()  # the --tenant selection this verdict is narrowed to; () the whole stage

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

    def narrowed(self, keep: Callable[[ResourceId | None], bool], resources: int, tenants: Iterable[str]) -> StageCheck:
        """The findings and schema problems on the resources keep accepts (the stage was judged whole)."""
        findings = [i for i, f in enumerate(self.findings) if keep(f.resource_id)]
        problems = [i for i, p in enumerate(self.schema_problems) if keep(p.resource_id)]
        return StageCheck(
            self.stage,
            resources,
            self.rules,
            tuple(self.schema_problems[i] for i in problems),
            tuple(self.findings[i] for i in findings),
            {new: self.locations[old] for new, old in enumerate(findings) if old in self.locations},
            {new: self.schema_locations[old] for new, old in enumerate(problems) if old in self.schema_locations},
            tuple(sorted(set(tenants))),
        )

    def as_dict(self) -> dict[str, Any]:
        """Everything a report of this verdict needs (StageCheck.from_dict rebuilds it)."""

        def where(located: Located | None) -> dict[str, Any] | None:
            return located.as_dict() if located is not None else None

        return {
            "stage": self.stage,
            "passed": self.passed,
            "resources": self.resources,
            "rules": list(self.rules),
            "tenant_filter": list(self.tenants),
            "schema_problems": [
                {
                    **p.as_dict(),
                    "resource_id": id_as_dict(p.resource_id),
                    "location": where(self.schema_locations.get(i)),
                }
                for i, p in enumerate(self.schema_problems)
            ],
            "findings": [
                {**f.as_dict(), "location": where(self.locations.get(i))} for i, f in enumerate(self.findings)
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StageCheck:
        problems, findings = data["schema_problems"], data["findings"]
        return cls(
            data["stage"],
            data["resources"],
            tuple(data["rules"]),
            tuple(
                SchemaProblem(p["resource"], id_from_dict(p.get("resource_id")), p["path"], p["message"])
                for p in problems
            ),
            tuple(Finding.from_dict(f) for f in findings),
            {i: Located.from_dict(f["location"]) for i, f in enumerate(findings) if f.get("location")},
            {i: Located.from_dict(p["location"]) for i, p in enumerate(problems) if p.get("location")},
            tuple(data.get("tenant_filter", ())),
        )


def _enabled(config: Mapping[str, Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(rule_id for rule_id in RULES if config.get(rule_id, {}).get("enforcementLevel") != "disabled")


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
        env.stage, len(manifests), _enabled(config), tuple(problems), tuple(findings), locations, schema_locations
    )


def check_manifests(sourced: list[SourcedManifest], env: Environment) -> StageCheck:
    """Check any manifests with the stage's policy config; stack rules see them all together."""
    manifests = [s.manifest for s in sourced]
    config = policy_config(env)
    origin: dict[ResourceId, Location] = {}
    for s in sourced:
        origin.setdefault(resource_id(s.manifest), s.location)
    problems = schema_check(manifests)
    findings, unjudged = _judged(manifests, config, env.stage, problems)
    problems += unjudged
    locations = {i: Located(origin[f.resource_id]) for i, f in enumerate(findings) if f.resource_id in origin}
    schema_locations = {i: Located(origin[p.resource_id]) for i, p in enumerate(problems) if p.resource_id in origin}
    for where, problem in _duplicated(manifests, [s.location for s in sourced]):
        if where is not None:
            schema_locations[len(problems)] = Located(where)
        problems.append(problem)
    return StageCheck(
        env.stage, len(manifests), _enabled(config), tuple(problems), tuple(findings), locations, schema_locations
    )


# What a rule raises when an object is not the shape the schema gives it (a list where a mapping goes).
_SHAPE_ERRORS = (TypeError, AttributeError, KeyError, ValueError, IndexError, ArithmeticError)


def _judged(
    manifests: list[dict[str, Any]], config: Mapping[str, Mapping[str, Any]], stage: str, problems: list[SchemaProblem]
) -> tuple[list[Finding], list[SchemaProblem]]:
    """The rules' findings over any manifests, and a problem on each object a rule could not judge.

    The rules read objects the schema check accepts. When one fails on an object the schema
    check rejected, that rule (and only it) judges the valid objects alone, and each invalid
    object says so; a rule failing on valid objects still fails (a bug, exit 3).
    """
    try:
        return run_policies(manifests, config, stage), []
    except _SHAPE_ERRORS:
        pass
    invalid = {p.resource_id for p in problems if p.resource_id is not None}
    valid = [m for m in manifests if resource_id(m) not in invalid]
    findings: list[Finding] = []
    skipped = []
    for rule in RULES.values():
        try:
            findings += run_policies(manifests, config, stage, [rule])
        except _SHAPE_ERRORS:
            if len(valid) == len(manifests):
                raise
            findings += run_policies(valid, config, stage, [rule])
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


def _duplicated(
    manifests: list[dict[str, Any]], where: list[Location | None]
) -> list[tuple[Location | None, SchemaProblem]]:
    """A problem on each object whose identity an earlier one has, with where the later one is."""
    out = []
    for first, later in duplicates(manifests):
        seen = f" at {where[first]}" if where[first] else ""
        problem = SchemaProblem(
            title(manifests[later]),
            resource_id(manifests[later]),
            "metadata.name",
            f"the same object as the {manifests[first]['apiVersion']} {manifests[first]['kind']}{seen}: one object "
            "per API group, kind, namespace and name (applied, the later would replace the earlier)",
        )
        out.append((where[later], problem))
    return out
