"""Exclusive locks on the folders a command writes into: pipeline commands queue instead of racing.

flock on the folder itself (no lock file to leave behind), taken in sorted order so two commands
locking the same folders cannot deadlock, and released by the kernel when a command dies.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from model.errors import InputError, Problem

LOCK_WAIT_SECONDS = 60.0

_HELD: set[Path] = set()  # folders this process holds locked: a nested locked() takes only the others


@contextmanager
def locked(folders: list[Path]) -> Iterator[None]:
    """Hold an exclusive flock on each folder; wait up to LOCK_WAIT_SECONDS for another command.

    Re-entrant: an editing command holds its folders from before it reads the stage file until
    after it wrote it (a second edit waits, then reads what the first wrote), and the commit
    inside it takes no lock twice. Take them in sorted order (as Transaction.folders gives them).
    """
    with ExitStack() as stack:
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
            folder = folder.resolve()
            if folder in _HELD:
                continue
            descriptor = os.open(folder, os.O_RDONLY)
            stack.callback(os.close, descriptor)
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise InputError(
                            [
                                Problem(
                                    None,
                                    "",
                                    f"{folder} is locked by another pipeline command "
                                    f"for over {LOCK_WAIT_SECONDS:.0f} s",
                                    "wait for it to finish (or end it), then run the command again",
                                )
                            ]
                        ) from None
                    time.sleep(0.05)
            _HELD.add(folder)
            stack.callback(_HELD.discard, folder)
        yield
