"""The `pipeline` command line: parse -> settings (argparse Namespace) -> run -> exit code.

Exit codes: 0 ok, 1 a gate or a mandatory policy failed (or output is stale), 2 bad input or
usage (an unreadable or unwritable path included), 3 an internal error (a bug: the message says
how to get the traceback), 130 interrupted (SIGINT), 143 terminated (SIGTERM; pipeline.signals).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from pathlib import Path

from model.errors import InputError
from pipeline.commands import (
    changed_stages,
    check,
    diff,
    docs,
    gate,
    images,
    preview,
    promote,
    pull_request_plan,
    pull_request_report,
    render,
    rollback,
    scale,
    set_image,
    start,
    status,
    stop,
    tenant,
    verify_rollout,
)
from pipeline.locks import locked
from pipeline.render import rendered_root
from pipeline.signals import exit_quietly, handle_termination
from pipeline.transaction import recover

# In the order `pipeline --help` lists them: build, judge, compare, move releases, lifecycle, docs.
COMMANDS = (
    render,
    check,
    diff,
    preview,
    promote,
    gate,
    status,
    set_image,
    scale,
    stop,
    start,
    rollback,
    tenant,
    changed_stages,
    images,
    pull_request_plan,
    pull_request_report,
    verify_rollout,
    docs,
)  # each: add_parser(subparsers, common), run(args) -> int

EXIT_INTERNAL = 3
EXIT_IO = 2


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; options every command shares come from `common`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--environments",
        type=Path,
        default=Path("environments"),
        metavar="DIR",
        help="folder of stage files: stages.yaml, defaults.yaml, <stage>.yaml (default: environments)",
    )
    common.add_argument(
        "--stage", action="append", metavar="S", help="a stage to work on; repeatable (default: every stage, in order)"
    )
    parser = argparse.ArgumentParser(prog="pipeline", description="GitOps pipeline of the agent platform.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    handle_termination()
    return exit_quietly(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        _recover(args)
        lock_folders = getattr(args, "lock_folders", None)  # editing commands: the whole read-modify-write
        with locked(lock_folders(args)) if lock_folders else contextlib.nullcontext():
            return args.run(args)
    except InputError as error:
        print(f"pipeline {args.command}: invalid input\n{error.report()}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:
        return 0
    except OSError as error:  # the machine, not the input: a full disk, an unwritable --out
        print(
            f"pipeline {args.command}: {error.strerror or error}{f': {error.filename}' if error.filename else ''}",
            file=sys.stderr,
        )
        return EXIT_IO
    except Exception as error:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("PIPELINE_DEBUG"):
            traceback.print_exc()
        else:
            print(
                f"pipeline {args.command}: internal error: {type(error).__name__}: {error}\n"
                "this is a bug; rerun with PIPELINE_DEBUG=1 for the traceback",
                file=sys.stderr,
            )
        return EXIT_INTERNAL


def _recover(args: argparse.Namespace) -> None:
    """Finish what a killed command left half written, before anything reads the stage files."""
    environments = getattr(args, "environments", None)
    if environments is not None:
        given = [getattr(args, option, None) for option in ("rendered", "out")]
        folders = [path for path in given if isinstance(path, Path)]
        for note in recover(environments, rendered_root(environments), *folders):
            print(f"pipeline: {note}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
