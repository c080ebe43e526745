"""pipeline images [--base REV]: the container images a change brings into the stages (for a scan)."""

from __future__ import annotations

import argparse
import json

from model.loader import load_stage_order
from pipeline.images import introduced_images
from pipeline.sources import from_revision, from_working_tree

HELP = "list the container images the working tree runs that --base does not (every image without it)"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("images", parents=[common], help=HELP, description=HELP)
    parser.add_argument("--base", metavar="REV", help="the revision before the change (default: none, every image)")
    parser.add_argument(
        "--format",
        choices=("lines", "json"),
        default="lines",
        help="json: [{image, stages, last_stage, key}] (a CI matrix)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    head = from_working_tree(args.environments, args.stage).stages
    base = from_revision(args.base, args.environments, args.stage).stages if args.base else None
    images = introduced_images(head, base, load_stage_order(args.environments))
    if args.format == "json":
        print(json.dumps([image.as_dict() for image in images]))
    else:
        for image in images:
            print(f"{image.image}  ({', '.join(image.stages)})")
    return 0
