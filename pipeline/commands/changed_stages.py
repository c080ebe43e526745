"""pipeline changed-stages --base REV [--head REV]: the stages whose inputs changed, in order."""

from __future__ import annotations

import argparse
import json

from model.loader import load_stage_order
from pipeline.changes import changed_stages

HELP = "list the stages whose inputs changed between two revisions (what a deploy must run)"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("changed-stages", parents=[common], help=HELP, description=HELP)
    parser.add_argument("--base", required=True, metavar="REV", help="the revision before the change")
    parser.add_argument("--head", default="HEAD", metavar="REV", help="the revision after it (default: HEAD)")
    parser.add_argument(
        "--format",
        choices=("lines", "json", "github"),
        default="lines",
        help="github: <stage>=true|false lines for $GITHUB_OUTPUT",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    stages = changed_stages(args.environments, args.base, args.head)
    if args.format == "json":
        print(json.dumps(stages))
    elif args.format == "github":
        for stage in load_stage_order(args.environments):
            print(f"{stage}={'true' if stage in stages else 'false'}")
    else:
        for stage in stages:
            print(stage)
    return 0
