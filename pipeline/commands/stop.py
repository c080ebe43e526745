"""pipeline stop SERVICE --stage S: scale to zero (no HPA, no PDB), remembering the settings."""

from __future__ import annotations

import argparse

from pipeline.commands._stage_edit import add_common, finish
from pipeline.commands.scale import one_stage
from pipeline.lifecycle import stop

HELP = "stop a service in one stage (scale to zero; `start` restores it)"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("stop", parents=[common], help=HELP, description=HELP)
    parser.add_argument("service", metavar="SERVICE")
    add_common(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return finish(args, stop(args.environments, one_stage(args), args.service))
