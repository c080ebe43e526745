"""Stage files and rendered/ written together: all of a change or none of it, even if killed.

Every command that writes a stage file or a rendered stage folder goes through `commit`:
1. under an exclusive lock on each folder it writes into (pipeline.locks: commands queue, so two
   edits of one stage file can never both land: the second sees the first and is refused);
2. each stage file is checked to be still as the change read it, and writable;
3. every new file and folder is written beside its target under a hidden temporary name;
4. an undo journal listing the swaps is written, then each target is swapped with its new
   version (the old one kept under a temporary name);
5. removing the journal is the commit point; then the old versions are removed.

A failure at any step undoes the swaps made so far; a kill leaves the journal, and the next
pipeline command (`recover`, run by the CLI before any command) undoes them. Either way stage
file and rendered/ are both as they were: a command that did not say "wrote" changed nothing.
Leftover temporaries of killed runs are removed then too, so `git add` never picks them up.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from model.errors import InputError, Problem
from model.writer import FileEdit, check_still_as_read
from pipeline.locks import locked

JOURNAL = ".pipeline-journal.json"
TEMPORARY = ".pipeline-tmp-"  # every temporary name starts so: recover knows what it may remove


@dataclass(frozen=True)
class TreeWrite:
    """A folder replaced whole by these files (relative path -> text): a rendered stage.

    An existing target is replaced only if empty or holding `marker`, a file that begins with
    `mark` (every folder this kind of write makes has it): a folder someone else made is never
    deleted, even one holding a file of the marker's name.
    """

    target: Path
    files: Mapping[str, str] = field(repr=False)
    marker: str = ""
    mark: str = ""

    def made_here(self) -> bool:
        """Whether the target is a folder this kind of write made (its marker file begins with the mark)."""
        if not self.marker:
            return False
        try:  # non-blocking, and a regular file only: the marker may be a FIFO someone left there
            descriptor = os.open(self.target / self.marker, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            return False
        with os.fdopen(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                return False
            return stream.read(len(self.mark.encode())) == self.mark.encode()


@dataclass(frozen=True)
class Transaction:
    """What one command writes: stage-file edits and rendered folders, in one commit.

    journal_dir holds the journal while the renames are made: the stage files' folder for an
    edit, the output folder for a render (every command recovers both before it starts).
    """

    journal_dir: Path
    edits: tuple[FileEdit, ...] = ()
    trees: tuple[TreeWrite, ...] = ()

    def folders(self) -> list[Path]:
        """The folders written into and the journal's, each once, in a fixed order (locks are taken in it)."""
        parents = [self.journal_dir] + [e.path.parent for e in self.edits] + [t.target.parent for t in self.trees]
        return sorted({folder.resolve() for folder in parents})


def commit(transaction: Transaction) -> None:
    """Write every edit and folder of the transaction, or none of them."""
    folders = transaction.folders()
    journal_dir = transaction.journal_dir.resolve()
    with locked(folders):
        for note in _recover_locked(folders):
            print(f"pipeline: {note}", file=sys.stderr)
        for edit in transaction.edits:
            _still_as_read(edit)
        for tree in transaction.trees:
            _replaceable(tree)
        swaps: list[dict[str, str]] = []
        try:
            for edit in transaction.edits:
                swaps.append(_swap("file", edit.path.resolve()))
                _write_durably(Path(swaps[-1]["new"]), edit.after, mode=edit.path.stat().st_mode & 0o777)
            for tree in transaction.trees:
                swaps.append(_swap("tree", tree.target.resolve()))
                _write_tree(Path(swaps[-1]["new"]), tree.files)
            os.sync()  # the new trees' files on disk before any swap: one call, not one fsync per file
            _write_durably(journal_dir / JOURNAL, json.dumps({"swaps": swaps}))
            for swap in swaps:
                _apply(swap)
            _sync_all(swaps)
        except BaseException:
            _undo(journal_dir, swaps)  # KeyboardInterrupt included: nothing half-written survives
            raise
        (journal_dir / JOURNAL).unlink()  # the commit point
        _sync(journal_dir)
        for swap in swaps:
            _remove(Path(swap["old"]))


def recover(*folders: Path) -> list[str]:
    """Undo a change a killed command left half done, and remove leftover temporaries; say what was done.

    folders: where journals may be (the stage files' folder, rendered/, an --out) and temporaries.
    """
    present = [f.resolve() for f in folders if f.is_dir()]
    if any(entry.name.startswith((JOURNAL, TEMPORARY)) for folder in present for entry in os.scandir(folder)):
        with locked(sorted(set(present))):
            return _recover_locked(present)
    return []


def _recover_locked(folders: list[Path]) -> list[str]:
    """Journals first (they name temporaries in any of the folders), then the leftovers."""
    notes = []
    for folder in folders:
        journal = folder / JOURNAL
        if journal.exists():
            try:
                swaps = json.loads(journal.read_text(encoding="utf-8"))["swaps"]
            except (OSError, ValueError, KeyError, TypeError):
                swaps = []  # a journal cut short: no swap was made before it was whole on disk
            _undo(folder, swaps)
            targets = ", ".join(sorted(Path(swap["target"]).name for swap in swaps)) or "nothing swapped yet"
            notes.append(f"undid a change a killed pipeline command left half written in {folder} ({targets})")
    for folder in folders:
        leftovers = sorted(entry.name for entry in os.scandir(folder) if entry.name.startswith(TEMPORARY))
        for name in leftovers:
            _remove(folder / name)
        if leftovers:
            notes.append(f"removed {len(leftovers)} leftover(s) of killed pipeline commands in {folder}")
    return notes


def _swap(kind: str, target: Path) -> dict[str, str]:
    """Names beside target for its new version (made now) and for the old one (kept while in flight)."""
    token = secrets.token_hex(6)
    new = target.parent / f"{TEMPORARY}new-{token}"
    if kind == "tree":
        new.mkdir(mode=0o755)
    else:
        new.touch(mode=0o600)
    existed = target.exists() or target.is_symlink()
    return {
        "kind": kind,
        "target": str(target),
        "new": str(new),
        "old": str(target.parent / f"{TEMPORARY}old-{token}"),
        "existed": "yes" if existed else "",
    }


def _apply(swap: Mapping[str, str]) -> None:
    """Put the new version in place, keeping the old one under swap["old"]."""
    target, new, old = Path(swap["target"]), Path(swap["new"]), Path(swap["old"])
    if swap["existed"]:
        if swap["kind"] == "file":
            os.link(target, old)  # the old file stays in place until the atomic replace below
        else:
            os.rename(target, old)  # a folder cannot be replaced in one step: undo closes the gap
    os.replace(new, target)


def _undo(journal_dir: Path, swaps: list[dict[str, str]]) -> None:
    """Put every target back as it was, then drop the journal.

    Each step can be made again: a kill (or an error) here keeps the journal, and the next
    command's recover finishes the undo.
    """
    failed: OSError | None = None
    for swap in reversed(swaps):
        try:
            _undo_swap(swap)
        except OSError as error:
            failed = failed or error
    if failed is not None:
        raise failed
    journal_dir.joinpath(JOURNAL).unlink(missing_ok=True)
    _sync(journal_dir)


def _undo_swap(swap: Mapping[str, str]) -> None:
    target, new, old = Path(swap["target"]), Path(swap["new"]), Path(swap["old"])
    placed = not (new.exists() or new.is_symlink())  # the new version was moved onto target
    if placed and swap["kind"] == "tree" and target.is_dir():
        os.rename(target, new)  # out of the way: a folder cannot be renamed onto a full one
    elif placed and not swap["existed"]:
        _remove(target)
    if swap["existed"] and (old.exists() or old.is_symlink()):
        if swap["kind"] == "file" and not placed:
            old.unlink()  # only a second link: target was never replaced
        else:
            os.replace(old, target)
    _remove(new)


def _still_as_read(edit: FileEdit) -> None:
    """The file as the command read it, and writable (checked before anything is written)."""
    check_still_as_read(edit)
    if not edit.path.stat().st_mode & stat.S_IWUSR:  # the mode, not access(): root may write anything
        raise InputError(
            [Problem(None, "", f"{edit.path} is read-only; nothing was written", "make it writable (chmod u+w)")]
        )


def _replaceable(tree: TreeWrite) -> None:
    target = tree.target
    if not target.exists() and not target.is_symlink():
        return
    if not target.is_dir() or (any(target.iterdir()) and not tree.made_here()):
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    f"{target} exists and was not written by pipeline render "
                    f"(its {tree.marker or 'marker'} does not begin with the render's mark); nothing was written",
                    "pick an output folder of its own, or move what is there (a render made before the mark "
                    "existed: remove the folder and render again)",
                )
            ]
        )


def _write_tree(root: Path, files: Mapping[str, str]) -> None:
    made: set[Path] = {root}  # one mkdir per folder, not per file: a fleet has thousands of files
    for relative, content in files.items():
        path = root / relative
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        with open(path, "w", encoding="utf-8", newline="") as stream:
            stream.write(content)


def _sync_all(swaps: list[dict[str, str]]) -> None:
    for folder in sorted({Path(swap["target"]).parent for swap in swaps}):
        _sync(folder)


def _write_durably(path: Path, text: str, mode: int = 0o644) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(path, mode)  # the umask must not narrow the stage file's own mode
    _sync(path.parent)


def _sync(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
