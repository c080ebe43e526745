"""pipeline diff OLD [NEW]: what changes, per resource (and per stage where both sides have stages).

OLD and NEW are each a git revision (rendered with its own code in a temporary worktree),
`worktree` (the stage files as they are), a folder `pipeline render` wrote (rendered/ or
rendered/<stage>: a stage tree), or any YAML file or folder of plain YAML (no kustomization
needed; files that hold no Kubernetes object, such as Helm values or a kustomization.yaml with
only `resources:`, are skipped and named on stderr). NEW defaults to `worktree`.

Stages are compared stage by stage only when both sides have stages (revisions, `worktree`,
stage trees); otherwise each side is one unnamed set, so `diff app-v1/ app-v2/` shows what
changes between the two folders. A cluster-scoped object's identity has no namespace (a
ClusterRole written with one is the same ClusterRole), custom kinds included when a CRD in the
input says `scope: Cluster`. Unreadable input is exit 2 naming file and line.

--summary prints counts per kind and change class and one line per changed resource, nothing
else. Long values (a CRD's openAPIV3Schema, an embedded dashboard, any value of more than
pipeline.diff.long_values.LONG_LINES lines or with a line over LONG_CHARS characters) read
"changed, N -> M lines (+added -removed)" and long one-line values are cut to where they
differ, unless --full. With --tenant T, each stage is diffed whole and only the changes to T's
resources (its namespaces and their Namespace objects) are shown.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.loader import load_stage_order
from pipeline.output import write_output
from pipeline.preview import build_preview
from pipeline.reports import preview_json, preview_markdown, preview_summary, preview_text
from pipeline.sources import WORKTREE, RenderedSet, resolve_sources
from pipeline.tenant_filter import add_tenant_option

FORMATS = {"text": preview_text.render, "json": preview_json.render, "markdown": preview_markdown.render}
SUMMARIES = {
    "text": preview_summary.render_text,
    "json": preview_summary.render_json,
    "markdown": preview_summary.render_markdown,
}
HELP = "show what changes between two sets of manifests (YAML files or folders, renders, git revisions)"
OPERAND = "a YAML file or folder, a folder `pipeline render` wrote, a git revision, or `worktree`"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("diff", parents=[common], help=HELP, description=HELP)
    parser.add_argument("old", metavar="OLD", help=OPERAND)
    parser.add_argument(
        "new", metavar="NEW", nargs="?", default=WORKTREE, help="the same kinds as OLD (default: worktree)"
    )
    parser.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format (default: text)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write to FILE")
    parser.add_argument(
        "--summary",
        action="store_true",
        help="only counts per kind and change class, and one line per changed resource",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="show long values (CRD schemas, dashboards, long lines) whole instead of summarised",
    )
    add_tenant_option(parser, "only the changes to their resources are shown")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    old, new = resolve_sources(args.old, args.new, args.environments, args.stage)
    for side in (old, new):
        _note_skipped(side)
    order = load_stage_order(args.environments) if (args.environments / "stages.yaml").is_file() else ()
    # A diff only shows; it blocks nothing (that is preview's job).
    preview = build_preview(old, new, order=order, tenants=tuple(args.tenant or ()), full=args.full)
    render = SUMMARIES[args.format] if args.summary else FORMATS[args.format]
    write_output(render(preview, True), args.output)
    return 0


def _note_skipped(side: RenderedSet) -> None:
    if side.skipped:
        count = len(side.skipped)
        sys.stderr.write(
            f"pipeline diff: skipped {count} file{'s' if count != 1 else ''} of {side.label} holding no "
            f"Kubernetes object: {', '.join(side.skipped)}\n"
        )
