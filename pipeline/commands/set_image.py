"""pipeline set-image SERVICE IMAGE --stage S: deploy or upgrade a service in the first stage.

Later stages get the image by promotion; --force sets it anywhere.
"""

from __future__ import annotations

import argparse

from pipeline.commands._stage_edit import add_common, finish
from pipeline.commands.scale import one_stage
from pipeline.lifecycle import set_image

HELP = "put an image into a stage's release (the first stage; later stages get it by promotion)"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("set-image", parents=[common], help=HELP, description=HELP)
    parser.add_argument("service", metavar="SERVICE")
    parser.add_argument("image", metavar="IMAGE", help="registry/repository:tag[@sha256:...]")
    parser.add_argument("--release", metavar="ID", help="also set the release id (release.version)")
    parser.add_argument("--force", action="store_true", help="allow a stage other than the first")
    add_common(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    stage = one_stage(args)
    return finish(args, set_image(args.environments, stage, args.service, args.image, args.release, args.force))
