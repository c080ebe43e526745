"""Reading Kubernetes manifests from files and folders (`pipeline check --manifests`, `pipeline diff`).

Any YAML or JSON a user may hand over: multi-document streams, `kind: List` wrappers, output of
Helm, kustomize or a hand-written file, a pipe or stdin. Read as kubectl reads it (YAML 1.1:
libyaml composes, pipeline.manifest_yaml builds the data and refuses duplicate keys, foreign
tags, alias bombs, deep nesting and numbers no JSON holds; pipeline.manifest_stream goes on
after a broken document). Each object comes with where it and each of its fields were written.

read_input gives everything: the objects, every problem (an unreadable file or document, at its
own line and column; the other files and documents are read all the same) and every document
skipped as no Kubernetes object (a kustomization, Helm values, configuration: no apiVersion and
no kind). read_manifests is all-or-nothing, for callers that need every object or none (diff).
Reading stays within limits of size, so of time and memory:

- MAX_INPUT bytes in all (every file of a run together, each file too): 16 MiB, some forty
  times a whole rendered stage of this platform; past it the run stops (an InputError)
- MAX_OBJECT characters of YAML per object: 3 MiB, the API server's request limit
- at most MAX_PROBLEMS problems are listed per file
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from model.errors import InputError, Problem
from pipeline.input_text import STDIN, TooLarge, decode, display_name, read_bytes
from pipeline.manifest_stream import MAX_OBJECT, MAX_PROBLEMS, Skipped, SourcedManifest, read_stream
from pipeline.manifest_yaml import AliasBudget

__all__ = ["MAX_INPUT", "MAX_OBJECT", "MAX_PROBLEMS", "ManifestInput", "Skipped", "SourcedManifest"]
__all__ += ["manifest_files", "nothing_read", "read_input", "read_manifests"]

MAX_INPUT = 16 * 2**20
SUFFIXES = (".yaml", ".yml", ".json")
_LISTED = 5  # skipped files named in read_manifests' "no manifests" problem


@dataclass(frozen=True)
class ManifestInput:
    """Everything the files and folders held, in file order."""

    manifests: tuple[SourcedManifest, ...]
    problems: tuple[Problem, ...]  # input problems: each unreadable path, file or document
    skipped: tuple[Skipped, ...]  # documents that are no Kubernetes objects
    files: tuple[str, ...] = ()  # the files read, as messages name them


def read_input(paths: list[Path]) -> ManifestInput:
    """Every object, problem and skipped document of the files and folders; InputError only for a limit
    that stops the run (MAX_INPUT), with the problems found before it."""
    files, problems = _files(paths)
    manifests: list[SourcedManifest] = []
    skipped: list[Skipped] = []
    budget, left = AliasBudget(), MAX_INPUT
    for path in files:
        name = display_name(path)
        try:
            data = read_bytes(path, left, _size_hint(left))
        except TooLarge as error:  # the files after it would each be too large as well
            raise InputError(problems + list(error.problems)) from None
        except InputError as error:
            problems += error.problems
            continue
        left -= len(data)
        try:
            text = decode(data, name)
        except InputError as error:
            problems += error.problems
            continue
        del data
        budget.add_text(text)
        stream = read_stream(text, name, budget)
        manifests += stream.manifests
        problems += stream.problems
        skipped += stream.skipped
    return ManifestInput(tuple(manifests), tuple(problems), tuple(skipped), tuple(map(display_name, files)))


def read_manifests(paths: list[Path]) -> list[SourcedManifest]:
    """Every object of the files and folders, or InputError: any problem, or no object at all.

    Documents that are no Kubernetes objects (a kustomization, Helm values) are skipped, not problems.
    """
    read = read_input(paths)
    if read.problems:
        raise InputError(read.problems)
    if not read.manifests:
        raise nothing_read(paths, read)
    return list(read.manifests)


def nothing_read(paths: list[Path], read: ManifestInput) -> InputError:
    """The error for paths that hold no Kubernetes object: what was skipped, and why."""
    message = f"no Kubernetes manifests in {', '.join(map(str, paths))}"
    if read.skipped:
        shown = [f"{s.file} ({s.reason})" for s in read.skipped[:_LISTED]]
        more = len(read.skipped) - _LISTED
        message += f", skipped: {'; '.join(shown)}" + (f"; and {more} more" if more > 0 else "")
    hint = "pass YAML files (or folders of them) holding objects with apiVersion, kind and metadata.name"
    return InputError([Problem(None, "", message, hint)])


def manifest_files(paths: list[Path]) -> list[Path]:
    """The files named, and every YAML/JSON file below the folders named, in a stable order; InputError
    for a path that does not exist."""
    files, problems = _files(paths)
    if problems:
        raise InputError(problems)
    return files


def _files(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """The files named and found below the folders named, and a problem for each path that is neither."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if str(path) == STDIN:
            files.append(path)
        elif path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():  # a file, or a pipe such as <(kustomize build)
            files.append(path)
        else:
            problems.append(
                Problem(None, "", f"{path}: no such file or folder", "pass YAML files or folders holding them")
            )
    return files, problems


def _size_hint(left: int) -> str:
    if left == MAX_INPUT:
        return f"no real set of manifests is this big: at most {MAX_INPUT // 2**20} MiB are read in all"
    return f"the files before it leave {left} of the {MAX_INPUT // 2**20} MiB read in all: check fewer at once"
