"""What the required pull-request check must run: read once, by its first job, for every other job.

The merge base the gate and the preview compare with, the stages (a CI matrix), the labels
turned into flags (`allow-disruptive`, `hotfix`), the stages whose release change is a hotfix
(each waits for its environment's reviewers when the pull request asks for the hotfix), and
the images the change brings in (the scan's matrix). Input the pull request breaks (a stage
file that does not parse) does not stop the plan: the jobs that read it report it.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from model.errors import InputError, Problem
from model.loader import load_stage_order
from pipeline.gate import gate_pull_request
from pipeline.images import IntroducedImage, introduced_images
from pipeline.release_change import HOTFIX_LABEL, ReleaseChange
from pipeline.sources import from_revision, from_working_tree, git, repository_root, resolve_revision

ALLOW_DISRUPTIVE_LABEL = "allow-disruptive"  # deletes and replacements are intended: the gate's --allow-disruptive
MAX_MATRIX = 256  # GitHub's limit on the jobs one matrix may generate


@dataclass(frozen=True)
class PullRequestPlan:
    base: str
    stages: tuple[str, ...]
    allow_disruptive: bool
    hotfix_requested: bool
    hotfix_stages: tuple[str, ...]  # release changes that are hotfixes (refused unless approved)
    images: tuple[IntroducedImage, ...]
    problems: tuple[str, ...] = ()  # what could not be read (the jobs that read it report it in full)

    @property
    def approval_stages(self) -> tuple[str, ...]:
        """The stages whose reviewers must approve: the hotfixes, when the pull request asks for them."""
        return self.hotfix_stages if self.hotfix_requested else ()

    def github_outputs(self) -> list[str]:
        """key=value lines for $GITHUB_OUTPUT (JSON for lists: fromJSON reads them)."""
        return [
            f"base={self.base}",
            f"stages={json.dumps(list(self.stages))}",
            f"allow_disruptive={'true' if self.allow_disruptive else 'false'}",
            f"hotfix_stages={json.dumps(list(self.hotfix_stages))}",
            f"approval_stages={json.dumps(list(self.approval_stages))}",
            f"images={json.dumps([image.as_dict() for image in self.images])}",
        ]


def merge_base(environments: Path, base_ref: str) -> str:
    """The commit the pull request's branch left the base branch at."""
    repository = repository_root(environments)
    base = resolve_revision(repository, base_ref)
    return git(repository, "merge-base", base, "HEAD").stdout.strip()


def plan_pull_request(environments: Path, base_ref: str, labels: Collection[str]) -> PullRequestPlan:
    """The plan of the check for the working tree (the pull request's head) against base_ref."""
    base = merge_base(environments, base_ref)
    order = load_stage_order(environments)
    allow = ALLOW_DISRUPTIVE_LABEL in labels
    problems: list[str] = []
    hotfixes: tuple[str, ...] = ()
    images: tuple[IntroducedImage, ...] = ()
    try:
        verdicts = gate_pull_request(environments, base, allow)
        hotfixes = tuple(v.stage for v in verdicts if v.kind == ReleaseChange.HOTFIX.value and not v.passed)
    except InputError as error:
        problems.append(f"gate: {error}")
    try:
        head = from_working_tree(environments, None).stages
        images = tuple(introduced_images(head, from_revision(base, environments, None).stages, order))
    except InputError as error:
        problems.append(f"images: {error}")
    if len(images) > MAX_MATRIX:
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    f"the change brings in {len(images)} images, more than one GitHub matrix runs ({MAX_MATRIX})",
                    "split the pull request",
                )
            ]
        )
    return PullRequestPlan(base, order, allow, HOTFIX_LABEL in labels, hotfixes, images, tuple(problems))
