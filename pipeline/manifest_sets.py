"""Diff operands read from disk: stage trees written by `pipeline render`, or any YAML files and folders.

A stage tree is a folder render wrote: a stage folder (its kustomization.yaml begins with
pipeline.render's RENDER_MARK) or a folder whose sub-folders all are stage folders (rendered/).
Only there do folder names mean stages. Anything else, a file or a folder of plain YAML (no
kustomization needed), is one unnamed set of manifests; files in it that hold no Kubernetes
object (a kustomization.yaml with only `resources:`, Helm values, app config) are skipped and
named (pipeline.manifest_input reads them so). An unreadable file or document is an InputError
naming file and line: a diff of half-read input would show false deletes. So is an object
defined twice in one set (which copy would be meant?).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kube.identity import ResourceId, cluster_scoped_kinds, resource_id
from model.errors import InputError, Problem
from pipeline.kube_limits import duplicates
from pipeline.manifest_input import SUFFIXES, SourcedManifest, nothing_read, read_input
from pipeline.render import KUSTOMIZATION, RENDER_MARK

UNNAMED = ""  # the stage key of a set that is no stage: plain YAML, or both sides taken as one set each


def is_stage_folder(path: Path) -> bool:
    """Whether path is a stage folder `pipeline render` wrote (rendered/<stage>)."""
    try:
        with open(path / KUSTOMIZATION, "rb") as file:
            return file.read(len(RENDER_MARK.encode())) == RENDER_MARK.encode()
    except OSError:
        return False


def stage_folders(path: Path) -> dict[str, Path] | None:
    """The stages of a stage tree by name (a stage folder: itself; rendered/: its sub-folders); None if no tree."""
    if not path.is_dir():
        return None
    if is_stage_folder(path):
        return {path.resolve().name: path}
    try:
        entries = [entry for entry in sorted(path.iterdir()) if not entry.name.startswith(".")]
    except OSError:
        return None  # unreadable: reading it as plain YAML says why
    folders = [entry for entry in entries if entry.is_dir()]
    loose = [entry for entry in entries if entry.is_file() and entry.suffix in SUFFIXES]
    if not folders or loose or not all(is_stage_folder(folder) for folder in folders):
        return None
    return {folder.name: folder for folder in folders}


def read_plain(path: Path) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """The manifests of a YAML file or folder as one set, and what was skipped as no Kubernetes object
    (files; file:line for such a document in a file that also holds objects).

    InputError for any unreadable file or document (file, line, why), an object defined twice, or no object at all.
    """
    read = read_input([path])
    if read.problems:
        raise InputError(read.problems)
    with_objects = {m.location.file for m in read.manifests}
    skipped = tuple(dict.fromkeys(f"{s.file}:{s.line}" if s.file in with_objects else s.file for s in read.skipped))
    if not read.manifests:
        raise nothing_read([path], read)
    _refuse_duplicates(list(read.manifests))
    return [s.manifest for s in read.manifests], skipped


def _refuse_duplicates(sourced: list[SourcedManifest]) -> None:
    manifests = [s.manifest for s in sourced]
    kinds = cluster_scoped_kinds(manifests)
    problems = [
        Problem(
            sourced[later].location,
            "",
            f"{resource_id(manifests[later], kinds)} is defined twice: here and at {sourced[first].location}",
            "an object appears once in a set of manifests (a cluster-scoped one whatever its namespace): "
            "remove one copy",
        )
        for first, later in duplicates(manifests)
    ]
    if problems:
        raise InputError(problems)


def one_set(label: str, stages: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The manifests of every stage as one set; an object two stages both hold is an InputError."""
    manifests = [m for name in sorted(stages) for m in stages[name]]
    kinds = cluster_scoped_kinds(manifests)
    seen: dict[ResourceId, str] = {}
    problems = []
    for name in sorted(stages):
        for manifest in stages[name]:
            rid = resource_id(manifest, kinds)
            if rid in seen and seen[rid] != name:
                problems.append(
                    Problem(
                        None,
                        "",
                        f"{label}: {rid} is in both stage {seen[rid]} and stage {name}",
                        "compared with plain YAML, a render is one set: name one stage with --stage",
                    )
                )
            seen.setdefault(rid, name)
    if problems:
        raise InputError(problems)
    return manifests
