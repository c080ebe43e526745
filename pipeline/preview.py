"""A pull request's preview: per stage, the diff from base to head and the head's policy verdict.

Violations of the head are marked new when the base, judged by the same rules and the head's
stage config, does not have them. The preview blocks when a mandatory rule fails or when a
replacement or deletion would hit the last stage (prod) without --allow-disruptive.

With tenants selected (--tenant), every stage is still diffed and judged whole; what the
preview reports (changes, findings, and so its verdict) narrows to those tenants' resources.
Preview.as_dict is the preview's JSON; Preview.from_dict reads it back, so per-stage previews
run apart can be merged into the one a single run would give (pipeline.reports.preview_parts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kube.identity import ResourceId
from model.environment import Environment
from pipeline.check import check_stage
from pipeline.diff.engine import diff_stage
from pipeline.diff.model import StageDiff
from pipeline.policy_config import policy_config
from pipeline.policy_run import Finding, run_policies
from pipeline.sources import RenderedSet
from pipeline.tenant_filter import check_known, select, tenancy, tenant_of_resource
from pipeline.verdict import StageCheck


@dataclass(frozen=True)
class StagePreview:
    stage: str
    diff: StageDiff
    check: StageCheck | None
    new_findings: tuple[Finding, ...]
    release: str | None
    base_release: str | None

    @property
    def new_mandatory(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.new_findings if f.mandatory)

    def as_dict(self) -> dict[str, Any]:
        out = {**self.diff.as_dict(), "release": self.release, "base_release": self.base_release}
        if self.check is not None:
            policy = self.check.as_dict()
            del policy["stage"]
            policy["findings"] = [
                {**f, "new": found in self.new_findings}
                for f, found in zip(policy["findings"], self.check.findings, strict=True)
            ]
            out["policy"] = policy
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StagePreview:
        """The inverse of as_dict."""
        policy = data.get("policy")
        check, new = None, ()
        if policy is not None:
            check = StageCheck.from_dict({**policy, "stage": data["stage"]})
            new = tuple(f for f, d in zip(check.findings, policy["findings"], strict=True) if d.get("new"))
        return cls(data["stage"], StageDiff.from_dict(data), check, new, data.get("release"), data.get("base_release"))


@dataclass(frozen=True)
class Preview:
    base: str
    head: str
    stages: tuple[StagePreview, ...]
    protected: str | None = None  # the stage disruptive changes may not hit: the last of the order (prod)
    order: tuple[str, ...] = ()  # the stage order the stages were taken in (merging parts follows it)
    tenants: tuple[str, ...] = ()  # the --tenant selection; () every resource

    def blockers(self, allow_disruptive: bool) -> list[str]:
        """Why the preview fails: mandatory policy failures, disruptive changes to the protected stage."""
        reasons = []
        protected = self.protected
        for stage in self.stages:
            if stage.check is not None and not stage.check.passed:
                count = len(stage.check.mandatory_failures) + len(stage.check.schema_problems)
                reasons.append(f"{stage.stage}: {count} mandatory policy or schema failure{'s' if count != 1 else ''}")
            disruptive = [c for c in stage.diff.changes if c.rollout.disruptive]
            if stage.stage == protected and disruptive and not allow_disruptive:
                reasons.append(
                    f"{stage.stage}: {len(disruptive)} replacement or deletion"
                    f"{'s' if len(disruptive) != 1 else ''} ({', '.join(c.title for c in disruptive[:3])}"
                    f"{', ...' if len(disruptive) > 3 else ''}); pass --allow-disruptive if intended"
                )
        return reasons

    def as_dict(self, allow_disruptive: bool = False) -> dict[str, Any]:
        blockers = self.blockers(allow_disruptive)
        return {
            "base": self.base,
            "head": self.head,
            "order": list(self.order),
            "protected": self.protected,
            "tenant_filter": list(self.tenants),
            "passed": not blockers,
            "blockers": blockers,
            "stages": [s.as_dict() for s in self.stages],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Preview:
        """The inverse of as_dict (passed and blockers are derived again)."""
        return cls(
            data["base"],
            data["head"],
            tuple(StagePreview.from_dict(s) for s in data["stages"]),
            data.get("protected"),
            tuple(data.get("order", ())),
            tuple(data.get("tenant_filter", ())),
        )


def _key(finding: Finding) -> tuple[str, str, str]:
    return finding.rule_id, finding.resource, finding.path


def stage_names(present: set[str] | Mapping[str, Any], order: tuple[str, ...]) -> list[str]:
    """The stages present, those of the order in its order, then any others sorted."""
    return list(dict.fromkeys([s for s in order if s in present] + sorted(set(present) - set(order))))


def build_preview(
    base: RenderedSet,
    head: RenderedSet,
    environments: dict[str, Environment] | None = None,
    order: tuple[str, ...] = (),
    tenants: tuple[str, ...] = (),
    full: bool = True,
) -> Preview:
    """Diff every stage of either side (in stage order); with the head's environments, judge the head too.

    A stage only one side has is all creates or all deletes. The last stage of the order is the
    protected one (prod). With tenants, each stage is diffed and judged whole and the preview
    narrows to those tenants' resources; a tenant no stage of either side has is an InputError.
    full=False summarises long values (pipeline.diff.long_values).
    """
    names = stage_names(base.stages.keys() | head.stages.keys(), order)
    selected = tuple(sorted(set(tenants)))
    owners = {stage: tenancy(base.stages.get(stage, []), head.stages.get(stage, [])) for stage in names}
    if selected:
        known = {tenant for owner in owners.values() for tenant in owner.values()}
        check_known(selected, known, f"stage{'s' if len(names) != 1 else ''} {', '.join(names) or '(none)'}")
    stages = []
    for stage in names:
        manifests = head.stages.get(stage, [])
        old = base.stages.get(stage, [])
        env = (environments or {}).get(stage)
        check, new = None, ()
        if env is not None:
            check = check_stage(env, manifests=manifests)
            config = policy_config(env)
            # Only the head's findings can be new: judging the base is needed only when it has some.
            before = {_key(f) for f in run_policies(old, config, stage)} if old and check.findings else set()
            new = tuple(f for f in check.findings if _key(f) not in before)
        if selected:
            owner = owners[stage]

            def keep(rid: ResourceId | None, owner: Mapping[str, str] = owner) -> bool:
                return rid is not None and tenant_of_resource(rid, owner) in selected

            old, manifests = select(old, owner, selected), select(manifests, owner, selected)
            if check is not None:
                check = check.narrowed(keep, len(manifests), selected)
                new = tuple(f for f in new if keep(f.resource_id))
        stages.append(
            StagePreview(
                stage,
                diff_stage(stage, old, manifests, owners[stage], full),
                check,
                new,
                head.releases.get(stage),
                base.releases.get(stage),
            )
        )
    protected = order[-1] if order else (names[-1] if names else None)
    return Preview(base.label, head.label, tuple(stages), protected, tuple(order), selected)
