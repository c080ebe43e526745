"""pipeline status: the stages in order, their releases, and which are behind their upstream."""

from __future__ import annotations

import argparse
import json
import sys

from pipeline.status import render_markdown, render_text, stage_status

HELP = "show each stage's release and whether it is behind the stage before it"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("status", parents=[common], help=HELP, description=HELP)
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    statuses = stage_status(args.environments)
    if args.format == "json":
        json.dump([s.as_dict() for s in statuses], sys.stdout, indent=2)
        print()
    else:
        sys.stdout.write(render_markdown(statuses) if args.format == "markdown" else render_text(statuses))
    return 0
