"""A pull request's preview: per stage, the diff from base to head and the head's policy verdict.

Violations of the head are marked new when the base, judged by the same rules and the head's
stage config, does not have them. The preview blocks when a mandatory rule fails or when a
replacement or deletion would hit the last stage (prod) without --allow-disruptive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from model.environment import Environment
from pipeline.check import StageCheck, check_stage
from pipeline.diff.engine import diff_stage
from pipeline.diff.model import StageDiff
from pipeline.policy_config import policy_config
from pipeline.policy_run import Finding, run_policies
from pipeline.sources import RenderedSet


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
            out["policy"] = {
                "passed": self.check.passed,
                "schema_problems": [p.as_dict() for p in self.check.schema_problems],
                "findings": [{**f.as_dict(), "new": f in self.new_findings} for f in self.check.findings],
            }
        return out


@dataclass(frozen=True)
class Preview:
    base: str
    head: str
    stages: tuple[StagePreview, ...]
    protected: str | None = None  # the stage disruptive changes may not hit: the last of the order (prod)

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
            "passed": not blockers,
            "blockers": blockers,
            "stages": [s.as_dict() for s in self.stages],
        }


def _key(finding: Finding) -> tuple[str, str, str]:
    return finding.rule_id, finding.resource, finding.path


def build_preview(
    base: RenderedSet,
    head: RenderedSet,
    environments: dict[str, Environment] | None = None,
    order: tuple[str, ...] = (),
) -> Preview:
    """Diff every stage of either side (in stage order); with the head's environments, judge the head too.

    A stage only one side has is all creates or all deletes. The last stage of the order is the
    protected one (prod).
    """
    stages = []
    names = list(
        dict.fromkeys(
            [s for s in order if s in base.stages or s in head.stages]
            + sorted((base.stages.keys() | head.stages.keys()) - set(order))
        )
    )
    for stage in names:
        manifests = head.stages.get(stage, [])
        old = base.stages.get(stage, [])
        env = (environments or {}).get(stage)
        check, new = None, ()
        if env is not None:
            check = check_stage(env, manifests=manifests)
            config = policy_config(env)
            before = {_key(f) for f in run_policies(old, config, stage)} if old else set()
            new = tuple(f for f in check.findings if _key(f) not in before)
        stages.append(
            StagePreview(
                stage, diff_stage(stage, old, manifests), check, new, head.releases.get(stage), base.releases.get(stage)
            )
        )
    return Preview(base.label, head.label, tuple(stages), order[-1] if order else (names[-1] if names else None))
