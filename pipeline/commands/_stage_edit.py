"""What the lifecycle commands share: print the change, refuse or write it, exit code."""

from __future__ import annotations

import sys

from model.writer import apply_edit
from pipeline.lifecycle import StageChange
from pipeline.reports import preview_text


def finish(change: StageChange, dry_run: bool = False, confirmed: bool = False) -> int:
    """Show what the edit does; write it unless refused (exit 1), a dry run, or unconfirmed (exit 1).

    A change that says what it destroys (change.confirm) is written only when confirmed (--yes).
    """
    sys.stdout.write(preview_text.render(change.preview(), allow_disruptive=True, verdict=False))
    if not change.edit.changed:
        print(f"{change.edit.path}: already as asked, nothing to write")
        return 0
    if not change.accepted:
        print("\nREFUSED: the change adds mandatory failures")
        for refusal in change.refusals:
            print(f"refused: {refusal}", file=sys.stderr)
        print(f"{change.edit.path} was not written", file=sys.stderr)
        return 1
    if change.confirm and not confirmed and not dry_run:
        print(f"\nNOT CONFIRMED: {change.confirm}")
        print(f"refused: {change.confirm}; pass --yes to confirm (--dry-run to only look)", file=sys.stderr)
        print(f"{change.edit.path} was not written", file=sys.stderr)
        return 1
    print("\nOK: nothing blocks this change")
    if change.confirm:
        print(f"{'confirmed' if confirmed else 'needs --yes'}: {change.confirm}")
    if dry_run:
        print(f"dry run: {change.edit.path} was not written")
        return 0
    apply_edit(change.edit)
    print(f"wrote {change.edit.path}")
    return 0


def add_common(parser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="show the change and its checks, write nothing")
