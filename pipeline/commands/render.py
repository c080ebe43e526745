"""pipeline render [--stage S]... [--out DIR] [--check]: write rendered/<stage>/ and summarize it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from model.loader import load_environments
from pipeline.render import render_stage, staleness, write_stage
from pipeline.summary import format_summary, summarize

HELP = "render every stage (or --stage S) to one YAML file per resource"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("render", parents=[common], help=HELP, description=HELP)
    parser.add_argument(
        "--out", type=Path, default=Path("rendered"), metavar="DIR", help="output directory (default: rendered)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and list the stale files if DIR differs from a fresh render",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    environments = load_environments(args.environments, args.stage)
    rendered = [(env, render_stage(env)) for env in environments]  # render all before writing any
    if args.check:
        return _check(args, rendered)
    summaries = []
    for env, stage in rendered:
        write_stage(args.out, stage)
        summaries.append(summarize(env.stage, stage.manifests, env.release.version))
    if args.format == "json":
        json.dump([s.as_dict() for s in summaries], sys.stdout, indent=2)
        print()
    else:
        for summary in summaries:
            print(format_summary(summary))
        print(f"wrote {sum(len(stage.files) for _, stage in rendered)} files under {args.out}/")
    return 0


def _check(args: argparse.Namespace, rendered) -> int:
    stale = [staleness(args.out, stage) for _, stage in rendered]
    if not any(s.stale for s in stale):
        print(f"{args.out}/ is up to date ({', '.join(stage.stage for _, stage in rendered)})")
        return 0
    for report in stale:
        for label, paths in (("changed", report.changed), ("missing", report.missing), ("extra", report.extra)):
            for path in paths:
                print(f"stale: {args.out}/{path} ({label})")
    print(f"{args.out}/ is stale: run `pipeline render` and commit the result", file=sys.stderr)
    return 1
