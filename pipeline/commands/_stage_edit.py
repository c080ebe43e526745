"""What the lifecycle commands share: print the change, refuse or write it, exit code."""

from __future__ import annotations

import sys

from model.writer import apply_edit
from pipeline.lifecycle import StageChange
from pipeline.reports import preview_text


def finish(change: StageChange, dry_run: bool = False) -> int:
    """Show what the edit does; write it unless refused (exit 1) or a dry run."""
    sys.stdout.write(preview_text.render(change.preview(), allow_disruptive=True, verdict=False))
    if not change.edit.changed:
        print(f"{change.edit.path}: already as asked, nothing to write")
        return 0
    print("\nOK: nothing blocks this change" if change.accepted else "\nREFUSED: the change adds mandatory failures")
    if not change.accepted:
        for refusal in change.refusals:
            print(f"refused: {refusal}", file=sys.stderr)
        print(f"{change.edit.path} was not written", file=sys.stderr)
        return 1
    if dry_run:
        print(f"dry run: {change.edit.path} was not written")
        return 0
    apply_edit(change.edit)
    print(f"wrote {change.edit.path}")
    return 0


def add_common(parser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="show the change and its checks, write nothing")
