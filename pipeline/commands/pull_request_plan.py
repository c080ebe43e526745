"""pipeline pull-request-plan --base REF [--labels JSON]: what the required check runs (run in CI).

Prints key=value lines for $GITHUB_OUTPUT: base (the merge base), stages, allow_disruptive,
hotfix_stages, approval_stages and images (JSON lists); see pipeline.pull_request_plan.
"""

from __future__ import annotations

import argparse
import json
import sys

from model.errors import InputError, Problem
from pipeline.pull_request_plan import plan_pull_request

HELP = "plan the pull-request check: merge base, stages, label flags, hotfix stages, new images (run in CI)"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("pull-request-plan", parents=[common], help=HELP, description=HELP)
    parser.add_argument("--base", required=True, metavar="REF", help="the pull request's base branch, e.g. origin/main")
    parser.add_argument(
        "--labels", default="[]", metavar="JSON", help="the pull request's labels as a JSON list of names"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        labels = json.loads(args.labels)
    except ValueError as error:
        raise InputError([Problem(None, "--labels", f"not JSON: {error}", "e.g. --labels '[\"hotfix\"]'")]) from error
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise InputError([Problem(None, "--labels", "expected a JSON list of label names", "e.g. '[\"hotfix\"]'")])
    plan = plan_pull_request(args.environments, args.base, labels)
    for line in plan.github_outputs():
        print(line)
    for problem in plan.problems:
        print(f"::warning::{problem.splitlines()[0]}", file=sys.stderr)
    return 0
