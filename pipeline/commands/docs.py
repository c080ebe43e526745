"""pipeline docs [--check]: write docs/policies.md and policies/config/<stage>.json.

The catalog documents every rule (from its module) with its enforcement per stage; the config
files are what `pulumi preview --policy-pack policies --policy-pack-config
policies/config/<stage>.json` reads, generated from the stage files so that the pack under
Pulumi judges a stage exactly as `pipeline check` does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.loader import load_environments
from model.writer import write_atomically
from pipeline.docs import generated_files

HELP = "write the policy catalog (docs/policies.md) and per-stage policy config (policies/config/)"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("docs", parents=[common], help=HELP, description=HELP)
    parser.add_argument(
        "--root",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="repository root the files are written under (default: .)",
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 listing stale files")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    files = generated_files(load_environments(args.environments, args.stage))
    stale = [
        path
        for path, text in files.items()
        if not (args.root / path).is_file() or (args.root / path).read_text(encoding="utf-8") != text
    ]
    if args.check:
        for path in stale:
            print(f"stale: {path}")
        if stale:
            print("generated files are stale: run `pipeline docs` and commit the result", file=sys.stderr)
        return 1 if stale else 0
    for path, text in files.items():
        write_atomically(args.root / path, text)
    print(f"wrote {', '.join(files)}" + ("" if stale else " (unchanged)"))
    return 0
