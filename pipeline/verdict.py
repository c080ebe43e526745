"""The verdict of `pipeline check` on one stage or one set of manifests: what every report renders.

A StageCheck holds the schema problems and rule findings with where each points, and for
manifests a user brought also what was not judged: input problems (unreadable documents),
documents skipped as not Kubernetes objects, custom resources no schema validates, and the
findings a skip covers, each with its reason. Nothing is dropped silently: each report format
shows every one of them. StageCheck.as_dict and from_dict are inverses (JSON reports merge).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kube.identity import ResourceId
from model.errors import Location, Problem
from pipeline.manifest_input import Skipped
from pipeline.policy_run import Finding, id_as_dict, id_from_dict
from pipeline.schema_problem import SchemaProblem
from pipeline.suppressions import Skip, Suppressed
from policies.rules import PLATFORM


@dataclass(frozen=True)
class Located:
    """Where a finding points: a file position and, for stage files, the key path."""

    location: Location
    key_path: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {**self.location.as_dict(), "key_path": self.key_path or None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Located:
        return cls(Location(data["file"], data["line"], data["column"]), data.get("key_path") or "")


@dataclass(frozen=True)
class StageCheck:
    """The verdict on one stage's manifests (or on manifests a user brought)."""

    stage: str  # the stage whose config judged; for the generic profile, the name of what was read
    resources: int
    rules: tuple[str, ...]  # enabled rule ids
    schema_problems: tuple[SchemaProblem, ...]
    findings: tuple[Finding, ...]
    locations: Mapping[int, Located] = field(default_factory=dict)  # index in findings -> where
    schema_locations: Mapping[int, Located] = field(default_factory=dict)
    tenants: tuple[str, ...] = ()  # the --tenant selection this verdict is narrowed to; () the whole stage
    profile: str = PLATFORM
    input_problems: tuple[Problem, ...] = ()  # documents that could not be read (each fails the check)
    skipped: tuple[Skipped, ...] = ()  # documents that are not Kubernetes objects (named, not judged)
    suppressed: tuple[Suppressed, ...] = ()  # findings a skip covers, with its reason
    suppressed_locations: Mapping[int, Located] = field(default_factory=dict)
    strict_schemas: bool = False  # a custom resource no schema covers fails the check

    @property
    def mandatory_failures(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.mandatory)

    @property
    def advisories(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.mandatory)

    @property
    def not_validated(self) -> tuple[SchemaProblem, ...]:
        """Custom resources no schema covers: reported, failing only under strict_schemas."""
        return tuple(p for p in self.schema_problems if p.not_validated)

    def fails(self, problem: SchemaProblem) -> bool:
        """Whether a schema problem fails the check: any but an unvalidated resource, unless strict."""
        return self.strict_schemas or not problem.not_validated

    @property
    def failing_schema_problems(self) -> tuple[SchemaProblem, ...]:
        return tuple(p for p in self.schema_problems if self.fails(p))

    @property
    def not_judged(self) -> list[str]:
        """What the verdict says nothing about, counted: e.g. ["2 unreadable", "1 not validated"]."""
        counts = (
            (len(self.input_problems), "unreadable"),
            (len(self.skipped), "not Kubernetes objects (skipped)"),
            (0 if self.strict_schemas else len(self.not_validated), "not validated"),
            (len(self.suppressed), "findings skipped with a reason"),
        )
        return [f"{count} {what}" for count, what in counts if count]

    @property
    def passed(self) -> bool:
        """No mandatory violation, no schema problem that counts, no unreadable input."""
        return not self.mandatory_failures and not self.failing_schema_problems and not self.input_problems

    def narrowed(self, keep: Callable[[ResourceId | None], bool], resources: int, tenants: Iterable[str]) -> StageCheck:
        """The findings and schema problems on the resources keep accepts (the stage was judged whole)."""
        findings = [i for i, f in enumerate(self.findings) if keep(f.resource_id)]
        problems = [i for i, p in enumerate(self.schema_problems) if keep(p.resource_id)]
        suppressed = [i for i, s in enumerate(self.suppressed) if keep(s.finding.resource_id)]
        return StageCheck(
            self.stage,
            resources,
            self.rules,
            tuple(self.schema_problems[i] for i in problems),
            tuple(self.findings[i] for i in findings),
            _renumbered(self.locations, findings),
            _renumbered(self.schema_locations, problems),
            tuple(sorted(set(tenants))),
            self.profile,
            self.input_problems,
            self.skipped,
            tuple(self.suppressed[i] for i in suppressed),
            _renumbered(self.suppressed_locations, suppressed),
            self.strict_schemas,
        )

    def as_dict(self) -> dict[str, Any]:
        """Everything a report of this verdict needs (StageCheck.from_dict rebuilds it)."""

        def where(located: Located | None) -> dict[str, Any] | None:
            return located.as_dict() if located is not None else None

        return {
            "stage": self.stage,
            "profile": self.profile,
            "passed": self.passed,
            "resources": self.resources,
            "rules": list(self.rules),
            "tenant_filter": list(self.tenants),
            "strict_schemas": self.strict_schemas,
            "input_problems": [_problem_dict(p) for p in self.input_problems],
            "skipped": [{"file": s.file, "line": s.line, "reason": s.reason} for s in self.skipped],
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
            "suppressed": [
                {**s.as_dict(), "location": where(self.suppressed_locations.get(i))}
                for i, s in enumerate(self.suppressed)
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StageCheck:
        problems, findings = data["schema_problems"], data["findings"]
        suppressed = data.get("suppressed", [])
        return cls(
            data["stage"],
            data["resources"],
            tuple(data["rules"]),
            tuple(
                SchemaProblem(
                    p["resource"],
                    id_from_dict(p.get("resource_id")),
                    p["path"],
                    p["message"],
                    p.get("not_validated", False),
                )
                for p in problems
            ),
            tuple(Finding.from_dict(f) for f in findings),
            _located(findings),
            _located(problems),
            tuple(data.get("tenant_filter", ())),
            data.get("profile", PLATFORM),
            tuple(_problem_from(p) for p in data.get("input_problems", ())),
            tuple(Skipped(s["file"], s["line"], s["reason"]) for s in data.get("skipped", ())),
            tuple(
                Suppressed(
                    Finding.from_dict(s),
                    Skip(s["rule"], s["reason"], s["skipped_by"], Location.from_dict(s.get("declared_at"))),
                )
                for s in suppressed
            ),
            _located(suppressed),
            data.get("strict_schemas", False),
        )


def _renumbered(locations: Mapping[int, Located], kept: list[int]) -> dict[int, Located]:
    return {new: locations[old] for new, old in enumerate(kept) if old in locations}


def _located(entries: list[Mapping[str, Any]]) -> dict[int, Located]:
    return {i: Located.from_dict(e["location"]) for i, e in enumerate(entries) if e.get("location")}


def _problem_dict(problem: Problem) -> dict[str, Any]:
    where = problem.location.as_dict() if problem.location else dict.fromkeys(("file", "line", "column"))
    return {
        **where,
        "key_path": problem.key_path or None,
        "message": problem.message,
        "hint": problem.hint or None,
    }


def _problem_from(data: Mapping[str, Any]) -> Problem:
    return Problem(Location.from_dict(data), data.get("key_path") or "", data["message"], data.get("hint") or "")
