"""pipeline start SERVICE --stage S: restore what `pipeline stop` remembered."""

from __future__ import annotations

import argparse

from pipeline.commands._stage_edit import add_common, finish
from pipeline.commands.scale import one_stage
from pipeline.lifecycle import start

HELP = "start a stopped service in one stage (its replicas, HPA and PDB as before)"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("start", parents=[common], help=HELP, description=HELP)
    parser.add_argument("service", metavar="SERVICE")
    add_common(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return finish(args, start(args.environments, one_stage(args), args.service))
