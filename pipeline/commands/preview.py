"""pipeline preview --base REF: a pull request's preview, per stage.

Renders REF with its own code in a temporary worktree and the working tree as is, diffs every
stage, runs the policy pack on the head (marking violations new against the base), and writes
Markdown for the pull-request comment, JSON with the full diff, and SARIF for code scanning.
Exit 1 when a mandatory policy fails or a replacement or deletion would hit prod without
--allow-disruptive.

Sharding: `preview --base REF --stage S --json part-S.json` per stage (a CI matrix), then
`preview --merge part-*.json` writes the Markdown, JSON, text and SARIF, and exits with the
code, that one `preview --base REF` would have. --tenant T narrows what is reported (changes,
findings, and so the verdict) to T's resources; every stage is still rendered and judged whole.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from model.errors import InputError, Problem
from model.loader import load_environments, load_stage_order
from model.printable import printable
from pipeline.output import write_output
from pipeline.preview import Preview, build_preview
from pipeline.reports import preview_json, preview_markdown, preview_text, sarif
from pipeline.reports.preview_parts import merge_files
from pipeline.sources import from_revision, from_working_tree
from pipeline.tenant_filter import add_tenant_option

FORMATS = {"markdown": preview_markdown.render, "json": preview_json.render, "text": preview_text.render}
HELP = "preview a pull request: diff every stage against a base revision and check the head"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("preview", parents=[common], help=HELP, description=HELP)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--base", metavar="REF", help="the revision to compare with, e.g. origin/main")
    source.add_argument(
        "--merge",
        nargs="+",
        type=Path,
        metavar="PART",
        help="join previews written apart (preview --stage S --json PART, one per stage, same base and head) "
        "into the one a single run gives",
    )
    parser.add_argument(
        "--format", choices=sorted(FORMATS), default="markdown", help="report format (default: markdown)"
    )
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the full structured preview as JSON (a part to --merge)"
    )
    parser.add_argument("--sarif", type=Path, metavar="FILE", help="also write the head's policy results as SARIF")
    parser.add_argument(
        "--allow-disruptive",
        action="store_true",
        help="do not fail on replacements or deletions in the last stage (prod)",
    )
    parser.add_argument(
        "--head-name",
        metavar="NAME",
        help="what the report calls the head (default: working tree); CI passes the pull request's head commit",
    )
    add_tenant_option(parser, "changes, findings and the verdict concern only their resources")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    preview = _merged(args) if args.merge else _previewed(args)
    write_output(FORMATS[args.format](preview, args.allow_disruptive), args.output)
    if args.json:
        write_output(preview_json.render(preview, args.allow_disruptive), args.json)
    if args.sarif:
        checks = [s.check for s in preview.stages if s.check is not None]
        write_output(sarif.render(checks, sarif.catalog_url(os.environ, Path.cwd())), args.sarif)
    blockers = preview.blockers(args.allow_disruptive)
    for blocker in blockers:
        print(f"blocked: {printable(blocker, keep_newlines=False)}", file=sys.stderr)  # names from parts, escaped
    return 1 if blockers else 0


def _previewed(args: argparse.Namespace) -> Preview:
    environments = {env.stage: env for env in load_environments(args.environments, args.stage)}
    head = from_working_tree(args.environments, args.stage)
    if args.head_name:
        head = dataclasses.replace(head, label=args.head_name)
    base = from_revision(args.base, args.environments, args.stage)
    return build_preview(base, head, environments, load_stage_order(args.environments), tuple(args.tenant or ()))


def _merged(args: argparse.Namespace) -> Preview:
    options = (("--stage", args.stage), ("--tenant", args.tenant), ("--head-name", args.head_name))
    given = [option for option, value in options if value]
    if given:
        raise InputError(
            [
                Problem(
                    None,
                    given[0],
                    f"--merge takes no {' or '.join(given)}: each part holds its own stages and tenants",
                    "pass them to the runs that write the parts",
                )
            ]
        )
    return merge_files(args.merge)
