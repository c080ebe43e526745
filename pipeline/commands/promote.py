"""pipeline promote SRC DST [--write] [--branch] [--allow-disruptive]

Copies SRC's release into DST (the next stage only), renders DST before and after, diffs and
checks it, and passes only if every difference is release-derived, no mandatory rule fails and
nothing is replaced or deleted (unless allowed). --write rewrites DST's stage file (comments
and layout kept, atomically); --branch commits it on promote/<src>-to-<dst>-<release> without
touching your branch or working tree. Both write (or commit) DST's folder of rendered/ with the
stage file, so the promotion deploys the same through Pulumi and through Argo CD or Flux. Both
print the commit message and the pull-request body.
"""

from __future__ import annotations

import argparse
import os
import sys

from pipeline.commands._stage_edit import add_rendered_option, rendered_dir, write_edit
from pipeline.gitops import commit_on_branch, repository_root
from pipeline.promotion import Promotion, branch_render, plan_promotion
from pipeline.reports import preview_text

HELP = "promote a release to the next stage through the gate"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("promote", parents=[common], help=HELP, description=HELP)
    parser.add_argument("source", metavar="SRC", help="the stage whose release moves on")
    parser.add_argument("target", metavar="DST", help="the stage right after SRC")
    parser.add_argument("--write", action="store_true", help="rewrite DST's stage file")
    parser.add_argument("--branch", action="store_true", help="commit the change on promote/<src>-to-<dst>-<release>")
    parser.add_argument("--allow-disruptive", action="store_true", help="let replacements and deletions through")
    add_rendered_option(parser)
    parser.set_defaults(run=run)


def report(promotion: Promotion, verb: str) -> None:
    sys.stdout.write(preview_text.render(promotion.preview(), allow_disruptive=True, verdict=False))
    if promotion.passed:
        said = f" ({promotion.kind}: {'; '.join(promotion.notes)})" if promotion.notes else ""
        print(f"\ngate: PASS: {verb} release {promotion.release} into {promotion.target}{said}")
    else:
        print(f"\ngate: FAIL: {verb} release {promotion.release} into {promotion.target} is blocked:")
        for problem in promotion.problems:
            print(f"  - {problem}")


def run(args: argparse.Namespace) -> int:
    promotion = plan_promotion(args.environments, args.source, args.target, args.allow_disruptive)
    report(promotion, f"{args.source} -> {args.target}:")
    if not promotion.passed:
        return 1
    if args.branch:
        commit_branch(args, promotion)
    if args.write:
        write_edit(args, promotion.edit, promotion.rendered)
    if args.write or args.branch:
        print("\n--- commit message ---\n" + promotion.commit_message())
        print("--- pull-request body ---\n" + promotion.pull_request_body())
    return 0


def commit_branch(args: argparse.Namespace, promotion: Promotion) -> None:
    """Commit the stage file and its rendered stage (when the repository keeps rendered/) on the branch."""
    repository = repository_root(args.environments)
    out = rendered_dir(args)
    trees = {}
    if out is not None and not os.path.relpath(out.resolve(), repository).startswith(".."):
        rendered = branch_render(args.environments, promotion)
        trees[out / rendered.stage] = rendered.files
    commit = commit_on_branch(
        repository, promotion.branch, {promotion.edit.path: promotion.branch_text}, promotion.commit_message(), trees
    )
    carried = f" with {os.path.relpath((out / promotion.target).resolve(), repository)}/" if trees else ""
    print(f"committed {commit[:12]} on {promotion.branch}{carried} (your branch and working tree are unchanged)")
