"""pipeline pull-request-report: the required check's comment, from GitHub's `needs` and the jobs' notes."""

from __future__ import annotations

import json

from pipeline.cli import main
from pipeline.reports import pull_request
from pipeline.reports.preview_markdown import MARKER
from pipeline.reports.pull_request import JobOutcome, outcomes_of, passed, preview_verdict, render

HEAD = "3b35f94393f5d7b47bd36361d6761f5af5e6fd8d"
RUN = "https://github.com/acme/platform/actions/runs/7"
PREVIEW = f"{MARKER}\n## Infrastructure preview: `base` → `{HEAD}`\n\nthe table\n"


def test_skipped_jobs_pass_failed_and_cancelled_ones_do_not():
    assert passed([JobOutcome("tests", "success"), JobOutcome("hotfix-approval", "skipped")])
    assert not passed([JobOutcome("tests", "success"), JobOutcome("gate", "failure")])
    assert not passed([JobOutcome("tests", "cancelled")])


def test_jobs_are_listed_in_the_workflows_order_then_unknown_ones():
    needs = {"zeta": {"result": "success"}, "gate": {"result": "failure"}, "tests": {"result": "success"}}
    outcomes = outcomes_of(needs, {"gate": ["refused"]})
    assert [(o.job, o.result, o.details) for o in outcomes] == [
        ("tests", "success", ()),
        ("gate", "failure", ("refused",)),
        ("zeta", "success", ()),
    ]


def test_a_red_comment_names_the_head_links_the_run_and_opens_the_failed_jobs_notes():
    outcomes = [JobOutcome("tests", "success", ("all good",)), JobOutcome("gate", "failure", ("FAIL prod: hotfix",))]
    text = render(outcomes, HEAD, RUN, PREVIEW)
    assert text.startswith(MARKER + "\n## Pull-request check of `3b35f94393f5`: :x: failed\n")
    assert f"[the run]({RUN})" in text and f"Head commit `{HEAD}`" in text
    assert "<details open><summary>release gate (`pipeline gate`)</summary>\n\nFAIL prod: hotfix" in text
    assert "<details><summary>project tests (`make test`)</summary>" in text  # a passed job's notes stay folded
    assert text.count(MARKER) == 1 and text.endswith("the table\n")


def test_without_a_preview_or_notes_the_comment_says_so():
    text = render([JobOutcome("plan", "failure")], HEAD, RUN, None)
    assert "A job failed without writing why" in text and "No preview" in text


def test_a_comment_stays_under_githubs_limit():
    huge = "x" * 10_000
    text = render([JobOutcome("gate", "failure", (huge,))], HEAD, RUN, PREVIEW + "y" * 70_000)
    assert len(text) < 65_536
    assert "…\n" + "x" * pull_request.DETAIL_CHARS in text and "too long for a comment" in text


def test_the_previews_verdict():
    assert preview_verdict("") is None
    assert preview_verdict("0") == JobOutcome("preview-verdict", "success")
    assert preview_verdict("1").failed and "blocks the change" in preview_verdict("1").details[0]
    assert "Merging the stages' previews failed (exit 2)" in preview_verdict("2").details[0]


def test_the_cli_exits_1_on_a_failed_job_and_0_when_all_passed(tmp_path, capsys):
    jobs, details = tmp_path / "needs.json", tmp_path / "details"
    details.mkdir()
    (details / "preview--dev.md").write_text("dev.yaml:1: not YAML")
    jobs.write_text(json.dumps({"tests": {"result": "success", "outputs": {}}, "preview": {"result": "failure"}}))
    argv = ["pull-request-report", "--jobs", str(jobs), "--head", HEAD, "--run-url", RUN, "--details", str(details)]
    assert main(argv) == 1
    assert "dev.yaml:1: not YAML" in capsys.readouterr().out
    jobs.write_text(json.dumps({"tests": {"result": "success"}, "preview": {"result": "success"}}))
    assert main([*argv, "--preview-exit", "0"]) == 0
    assert main([*argv, "--preview-exit", "1"]) == 1


def test_the_cli_refuses_jobs_that_are_not_githubs_needs(tmp_path, capsys):
    jobs = tmp_path / "needs.json"
    for text, said in (("{not json", "cannot read the jobs' results"), ('["tests"]', "expected a mapping")):
        jobs.write_text(text)
        assert main(["pull-request-report", "--jobs", str(jobs), "--head", HEAD, "--run-url", RUN]) == 2
        assert said in capsys.readouterr().err
