"""SIGTERM and SIGINT end a command like an error does: cleanup runs, exit 143 or 130, no traceback.

CI cancellation and `timeout` send SIGTERM, whose default action ends the process on the spot:
a preview's temporary git worktree stays registered and its child render runs on. Raising
Terminated instead lets every `finally` and `with` unwind (the transaction undoes a half-made
write, subprocess.run kills its child, the worktree is removed). This module imports nothing
heavy, so the console script can install the handler before the rest is imported.
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(BaseException):
    """SIGTERM arrived: a BaseException, like KeyboardInterrupt, so `except Exception` does not swallow it."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second TERM must not cut the cleanup short
    raise Terminated(signum)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGTERM and SIGINT until the block ends (its children inherit the hold): for steps a signal
    must not cut in half, such as `git worktree add`, which leaves a locked, half-made worktree git
    itself can then neither list nor remove. A signal that came meanwhile is acted on right after."""
    held = {signal.SIGTERM, signal.SIGINT}
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def handle_termination() -> None:
    """Make SIGTERM raise Terminated in the main thread (SIGINT already raises KeyboardInterrupt)."""
    if threading.current_thread() is threading.main_thread():  # only the main thread may set handlers
        signal.signal(signal.SIGTERM, _terminate)


def redeliver_unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """An interrupt that hit a callback Python cannot raise from (a weakref callback inside an import, at
    start-up) is sent again, to be raised where it can be; anything else is reported as Python does.

    Without this the interpreter prints "Exception ignored in ..." with a traceback and the interrupt is lost.
    The signal is sent from another thread so that it lands once this hook has returned (one landing in the
    callback again comes back here and is sent again).
    """
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        signum = signal.SIGINT
    elif isinstance(unraisable.exc_value, Terminated):
        signum = signal.SIGTERM
        signal.signal(signum, _terminate)  # _terminate ignored further TERMs: this one was never acted on
    else:
        sys.__unraisablehook__(unraisable)
        return
    _thread.start_new_thread(os.kill, (os.getpid(), signum))  # threading.Thread.start would wait: not here


def exit_quietly(run: Callable[[], int]) -> int:
    """run's exit code; an interrupt or termination at any point is a one-line message and 130 or 143."""
    try:
        return run()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print("terminated", file=sys.stderr)
        return EXIT_TERMINATED


def console_script() -> int:
    """The `pipeline` command: signals handled before the command line (and all it imports) is loaded."""
    handle_termination()
    sys.unraisablehook = redeliver_unraisable

    def run() -> int:
        from pipeline.cli import main

        return main()

    return exit_quietly(run)
