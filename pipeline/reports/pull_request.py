"""The pull-request check as one comment: each job's outcome, what a job said of itself, the preview.

The required check's last job writes it whatever happened before (a failed test run, a stage
that did not parse, a refused gate), so the comment on the pull request is never a stale green
one. It opens with the preview's marker, so each run updates the same comment in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.reports.preview_markdown import MARKER

# The jobs of .github/workflows/pull-request.yml, in the order the comment lists them.
TITLES = {
    "plan": "plan: stages, merge base, labels",
    "tests": "project tests (`make test`)",
    "render-check": "rendered/ in step with the stage files (`pipeline render --check`)",
    "hotfix-approval": "hotfix approval (the stage environment's reviewers)",
    "gate": "release gate (`pipeline gate`)",
    "preview": "preview of every stage (`pipeline preview`)",
    "pulumi-preview": "`pulumi preview` of every stage",
    "image-scan": "scan of the images the change brings in (Trivy)",
    "preview-verdict": "the preview's verdict (mandatory policies, disruptive changes)",
}
FAILED = ("failure", "cancelled")
MARKS = {"success": ":white_check_mark:", "failure": ":x:", "cancelled": ":x:", "skipped": ":heavy_minus_sign:"}
DETAIL_CHARS = 3_000  # per job: the comment must stay under GitHub's 65,536 characters
COMMENT_CHARS = 65_000


@dataclass(frozen=True)
class JobOutcome:
    """A job's result as GitHub reports it (success, failure, cancelled, skipped) and what it wrote."""

    job: str
    result: str
    details: tuple[str, ...] = ()  # markdown the job left for the comment (one per matrix leg)

    @property
    def failed(self) -> bool:
        return self.result in FAILED


def outcomes_of(needs: Mapping[str, Mapping[str, object]], details: Mapping[str, list[str]]) -> list[JobOutcome]:
    """The jobs of GitHub's `needs` context, known ones first in TITLES order, with their details."""
    ordered = [job for job in TITLES if job in needs] + sorted(job for job in needs if job not in TITLES)
    return [JobOutcome(job, str(needs[job].get("result", "")), tuple(details.get(job, ()))) for job in ordered]


def preview_verdict(exit_code: str) -> JobOutcome | None:
    """The merged preview's verdict as an outcome (None when no preview was merged)."""
    if exit_code == "":
        return None
    if exit_code == "0":
        return JobOutcome("preview-verdict", "success")
    why = (
        "The preview blocks the change: see **Blocked** in the preview below (a mandatory policy fails, or a "
        "deletion or replacement reaches the last stage without the `allow-disruptive` label)."
        if exit_code == "1"
        else f"Merging the stages' previews failed (exit {exit_code}): the run's log says why."
    )
    return JobOutcome("preview-verdict", "failure", (why,))


def passed(outcomes: list[JobOutcome]) -> bool:
    """The check passes when no job failed or was cancelled (skipped jobs had nothing to do)."""
    return not any(outcome.failed for outcome in outcomes)


def _tail(text: str) -> str:
    text = text.strip()
    return text if len(text) <= DETAIL_CHARS else "…\n" + text[-DETAIL_CHARS:]


def render(outcomes: list[JobOutcome], head: str, run_url: str, preview: str | None) -> str:
    """The comment: a verdict titled with the head commit, a table of jobs, their details, the preview."""
    ok = passed(outcomes)
    verdict = ":white_check_mark: passed" if ok else ":x: failed"
    lines = [
        MARKER,
        f"## Pull-request check of `{head[:12]}`: {verdict}",
        "",
        f"Head commit `{head}` · [the run]({run_url})",
        "",
        "| check | result |",
        "|---|---|",
    ]
    for outcome in outcomes:
        title = TITLES.get(outcome.job, f"`{outcome.job}`")
        lines.append(f"| {title} | {MARKS.get(outcome.result, ':grey_question:')} {outcome.result or 'unknown'} |")
    lines.append("")
    for outcome in outcomes:
        for detail in outcome.details:
            opened = " open" if outcome.failed else ""
            title = TITLES.get(outcome.job, outcome.job)
            lines += [f"<details{opened}><summary>{title}</summary>", "", _tail(detail), "", "</details>", ""]
    if not ok and not any(o.details for o in outcomes if o.failed):
        lines += ["A job failed without writing why: its log in the run says.", ""]
    head_text = "\n".join(lines) + "\n"
    if preview is None:
        return head_text + "No preview: the preview did not run to its end (see above).\n"
    body = preview.replace(MARKER + "\n", "", 1)
    if len(head_text) + len(body) > COMMENT_CHARS:
        return head_text + "The preview is too long for a comment: it is in the run's `preview` artifact.\n"
    return head_text + "\n" + body
