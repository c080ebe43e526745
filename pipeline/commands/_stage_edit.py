"""What the stage-editing commands share: print the change, refuse or write it, exit code.

Every edit of a stage file is written together with its stage's folder of the rendered tree
(pipeline.transaction): both or neither, so `render --check` passes after every command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from model.loader import display_path
from model.writer import FileEdit
from pipeline.lifecycle import StageChange
from pipeline.render import RenderedStage, rendered_root, stage_tree
from pipeline.reports import preview_text
from pipeline.transaction import Transaction, commit


def finish(args: argparse.Namespace, change: StageChange, confirmed: bool = False) -> int:
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
    if change.confirm and not confirmed and not args.dry_run:
        print(f"\nNOT CONFIRMED: {change.confirm}")
        print(f"refused: {change.confirm}; pass --yes to confirm (--dry-run to only look)", file=sys.stderr)
        print(f"{change.edit.path} was not written", file=sys.stderr)
        return 1
    print("\nOK: nothing blocks this change")
    if change.confirm:
        print(f"{'confirmed' if confirmed else 'needs --yes'}: {change.confirm}")
    if args.dry_run:
        print(f"dry run: {change.edit.path} was not written")
        return 0
    write_edit(args, change.edit, change.rendered)
    return 0


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="show the change and its checks, write nothing")
    add_rendered_option(parser)


def add_rendered_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rendered",
        type=Path,
        metavar="DIR",
        help="the rendered tree written together with the stage file "
        "(default: rendered/ beside the environments folder, when there is one)",
    )
    parser.set_defaults(lock_folders=stage_edit_folders)


def stage_edit_folders(args: argparse.Namespace) -> list[Path]:
    """What an editing command holds locked from before it reads the stage file until it wrote it."""
    folders = [args.environments, rendered_dir(args)]
    return sorted({folder.resolve() for folder in folders if folder is not None and folder.is_dir()})


def rendered_dir(args: argparse.Namespace) -> Path | None:
    """The rendered tree to keep in step: --rendered, else rendered/ beside the stage files if it exists."""
    if args.rendered is not None:
        return args.rendered
    root = rendered_root(args.environments)
    return root if root.is_dir() else None


def write_edit(args: argparse.Namespace, edit: FileEdit, rendered: RenderedStage) -> None:
    """Write the stage file and its rendered stage together, and say what was written."""
    out = rendered_dir(args)
    commit(Transaction(args.environments, (edit,), (stage_tree(out, rendered),) if out is not None else ()))
    if out is None:
        print(f"wrote {edit.path} (no rendered/ beside {display_path(args.environments)}: nothing else to update)")
    else:
        print(f"wrote {edit.path} and {display_path(out / rendered.stage)}/ ({len(rendered.files)} files)")
