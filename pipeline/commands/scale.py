"""pipeline scale SERVICE --stage S (--replicas N | --min N --max N).

Fixed replicas turn the HPA off; bounds turn it on. Bounds that break the quota, the PDB or the
stage minimum are refused before anything is written.
"""

from __future__ import annotations

import argparse

from model.errors import InputError, Problem
from pipeline.commands._stage_edit import add_common, finish
from pipeline.lifecycle import scale

HELP = "set a service's replicas, or its HPA bounds, in one stage"


def one_stage(args: argparse.Namespace) -> str:
    if not args.stage or len(args.stage) != 1:
        raise InputError([Problem(None, "--stage", f"{args.command} needs exactly one --stage", "e.g. --stage dev")])
    return args.stage[0]


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("scale", parents=[common], help=HELP, description=HELP)
    parser.add_argument("service", metavar="SERVICE")
    parser.add_argument("--replicas", type=int, metavar="N", help="fixed replicas (turns the HPA off)")
    parser.add_argument("--min", type=int, metavar="N", help="HPA minimum (with --max; turns the HPA on)")
    parser.add_argument("--max", type=int, metavar="N", help="HPA maximum")
    add_common(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    stage = one_stage(args)
    bounds = args.min is not None or args.max is not None
    if (args.replicas is None) == (not bounds) or (bounds and (args.min is None or args.max is None)):
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    "give either --replicas N or both --min N and --max N",
                    "pipeline scale agent-service --stage dev --min 2 --max 6",
                )
            ]
        )
    for value in (args.replicas, args.min, args.max):
        if value is not None and value < 0:
            raise InputError([Problem(None, "", f"{value} is negative", "replica counts are 0 or more")])
    return finish(args, scale(args.environments, stage, args.service, args.replicas, args.min, args.max))
