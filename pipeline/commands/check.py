"""pipeline check: the Kubernetes schema check and every policy rule, per stage.

    pipeline check [--stage S]... [--format text|json|sarif|markdown] [--output FILE]
    pipeline check --manifests PATH... --stage S      # any YAML, judged by stage S's policy config

Exit 1 when a mandatory rule fails or an object does not validate; advisory findings are
reported only; disabled rules are skipped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.errors import InputError, Problem
from model.loader import load_environments
from pipeline.check import check_manifests, check_stage
from pipeline.manifest_input import read_manifests
from pipeline.output import write_output
from pipeline.reports import FORMATS

HELP = "check every stage (or --manifests) against the Kubernetes schemas and the policy pack"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("check", parents=[common], help=HELP, description=HELP)
    parser.add_argument(
        "--manifests",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="check these YAML files or folders instead of the rendered stages (needs one --stage)",
    )
    parser.add_argument("--format", choices=sorted(FORMATS), default="text", help="report format (default: text)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.manifests:
        if not args.stage or len(args.stage) != 1:
            raise InputError(
                [
                    Problem(
                        None,
                        "--stage",
                        "--manifests needs exactly one --stage",
                        "name the stage whose policy config judges the manifests, e.g. --stage prod",
                    )
                ]
            )
        sourced = read_manifests(args.manifests)
        (env,) = load_environments(args.environments, args.stage)
        checks = [check_manifests(sourced, env)]
    else:
        checks = [check_stage(env) for env in load_environments(args.environments, args.stage)]
    report = FORMATS[args.format](checks)
    write_output(report, args.output)
    if args.output and args.format != "text":
        from pipeline.reports.text import summary_line

        for check in checks:
            print(summary_line(check), file=sys.stderr)
    return 0 if all(check.passed for check in checks) else 1
