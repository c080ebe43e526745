"""pipeline pull-request-report: the required check's comment from its jobs' results (run in CI).

Reads GitHub's `needs` context as JSON (each job's result), the markdown files the jobs left in
--details (named <job>.md or <job>--<leg>.md), and the merged preview when there is one; writes
the comment and exits 1 when any job failed or was cancelled, so the check is red with it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from model.errors import InputError, Problem
from pipeline.output import write_output
from pipeline.reports import pull_request

HELP = "write the pull-request check's comment from its jobs' results; exit 1 when one failed (run in CI)"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("pull-request-report", parents=[common], help=HELP, description=HELP)
    parser.add_argument("--jobs", type=Path, required=True, metavar="FILE", help="GitHub's needs context as JSON")
    parser.add_argument("--head", required=True, metavar="SHA", help="the pull request's head commit")
    parser.add_argument("--run-url", required=True, metavar="URL", help="the workflow run")
    parser.add_argument("--details", type=Path, metavar="DIR", help="markdown the jobs left: <job>[--<leg>].md")
    parser.add_argument("--preview", type=Path, metavar="FILE", help="the merged preview (absent: it did not run)")
    parser.add_argument(
        "--preview-exit",
        default="",
        metavar="CODE",
        help="the exit code of `preview --merge` (1: the preview blocks the change; empty: no merge ran)",
    )
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the comment here instead of stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    needs = _read_json(args.jobs)
    details: dict[str, list[str]] = {}
    if args.details is not None and args.details.is_dir():
        for path in sorted(args.details.glob("*.md")):
            details.setdefault(path.stem.split("--", 1)[0], []).append(path.read_text(encoding="utf-8"))
    preview = args.preview.read_text(encoding="utf-8") if args.preview and args.preview.is_file() else None
    outcomes = pull_request.outcomes_of(needs, details)
    verdict = pull_request.preview_verdict(args.preview_exit.strip())
    if verdict is not None:
        outcomes.append(verdict)
    write_output(pull_request.render(outcomes, args.head, args.run_url, preview), args.output)
    return 0 if pull_request.passed(outcomes) else 1


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(
            [Problem(str(path), "", f"cannot read the jobs' results: {error}", "pass --jobs with ${{ toJSON(needs) }}")]
        ) from error
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise InputError(
            [Problem(str(path), "", "expected a mapping of job -> {result, outputs}", "pass ${{ toJSON(needs) }}")]
        )
    return data
