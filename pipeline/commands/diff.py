"""pipeline diff OLD [NEW]: what changes, per stage and resource, between two renders.

OLD and NEW are each a rendered folder (rendered/ or rendered/<stage>), a git revision
(rendered with its own code in a temporary worktree), or `worktree` (the stage files as they
are). NEW defaults to `worktree`. With --tenant T, each stage is diffed whole and only the
changes to T's resources (its namespaces and their Namespace objects) are shown.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from model.loader import load_stage_order
from pipeline.output import write_output
from pipeline.preview import build_preview
from pipeline.reports import preview_json, preview_markdown, preview_text
from pipeline.sources import WORKTREE, resolve_source
from pipeline.tenant_filter import add_tenant_option

FORMATS = {"text": preview_text.render, "json": preview_json.render, "markdown": preview_markdown.render}
HELP = "show what changes between two renders (folders, git revisions or the working tree)"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("diff", parents=[common], help=HELP, description=HELP)
    parser.add_argument("old", metavar="OLD", help="a rendered folder, a git revision, or `worktree`")
    parser.add_argument(
        "new", metavar="NEW", nargs="?", default=WORKTREE, help="the same kinds as OLD (default: worktree)"
    )
    parser.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format (default: text)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write to FILE")
    add_tenant_option(parser, "only the changes to their resources are shown")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    old = resolve_source(args.old, args.environments, args.stage)
    new = resolve_source(args.new, args.environments, args.stage)
    order = load_stage_order(args.environments) if (args.environments / "stages.yaml").is_file() else ()
    # A diff only shows; it blocks nothing (that is preview's job).
    preview = build_preview(old, new, order=order, tenants=tuple(args.tenant or ()))
    write_output(FORMATS[args.format](preview, True), args.output)
    return 0
