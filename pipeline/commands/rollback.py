"""pipeline rollback --stage S [--to REV]: the stage's previous release, through the promotion gate.

Without --to, the release the stage file had before its current one (from git history).
"""

from __future__ import annotations

import argparse

from pipeline.commands._stage_edit import add_rendered_option, write_edit
from pipeline.commands.promote import report
from pipeline.commands.scale import one_stage
from pipeline.rollback import plan_rollback

HELP = "restore a stage's previous release (or the one at --to REV) through the promotion gate"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("rollback", parents=[common], help=HELP, description=HELP)
    parser.add_argument("--to", metavar="REV", help="take the release the stage file had at this revision")
    parser.add_argument("--allow-disruptive", action="store_true", help="let replacements and deletions through")
    parser.add_argument("--dry-run", action="store_true", help="show and judge the rollback, write nothing")
    add_rendered_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    plan = plan_rollback(args.environments, one_stage(args), args.to, args.allow_disruptive)
    report(plan, f"rollback of {plan.target} to {plan.source}:")
    if not plan.passed:
        return 1
    if not args.dry_run and plan.edit.changed:
        write_edit(args, plan.edit, plan.rendered)
    return 0
