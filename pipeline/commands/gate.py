"""pipeline gate --base REF [--approve-hotfix STAGE]: hold a pull request's release changes to the gate."""

from __future__ import annotations

import argparse
import json
import sys

from pipeline.gate import gate_pull_request
from pipeline.release_change import HOTFIX_LABEL

HELP = "check that a pull request's release changes are clean promotions (run in CI)"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("gate", parents=[common], help=HELP, description=HELP)
    parser.add_argument("--base", required=True, metavar="REF", help="the pull request's base, e.g. origin/main")
    parser.add_argument("--allow-disruptive", action="store_true", help="let replacements and deletions through")
    parser.add_argument(
        "--approve-hotfix",
        action="append",
        default=[],
        metavar="STAGE",
        help=f"accept a hotfix of STAGE (a release neither the previous stage's nor one STAGE ran before); CI passes "
        f"it when the pull request carries the `{HOTFIX_LABEL}` label and STAGE's environment reviewers approved",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    verdicts = gate_pull_request(args.environments, args.base, args.allow_disruptive, args.approve_hotfix)
    if args.format == "json":
        json.dump(
            {"passed": all(v.passed for v in verdicts), "stages": [v.as_dict() for v in verdicts]}, sys.stdout, indent=2
        )
        print()
    else:
        for verdict in verdicts:
            mark = "PASS" if verdict.passed else "FAIL"
            print(
                f"{mark} {verdict.stage}: {verdict.kind}" + (f" ({'; '.join(verdict.notes)})" if verdict.notes else "")
            )
            for problem in verdict.problems:
                print(f"  - {problem}")
    return 0 if all(v.passed for v in verdicts) else 1
