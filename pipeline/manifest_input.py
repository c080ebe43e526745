"""Reading Kubernetes manifests from files and folders (`pipeline check --manifests PATH...`).

Any YAML or JSON a user may hand over: multi-document streams, `kind: List` wrappers, output of
Helm, kustomize or a hand-written file. Read as kubectl reads it (YAML 1.1, PyYAML's safe
loader). Bad input is an InputError naming file, line and column.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from model.errors import InputError, Location, Problem
from pipeline.yaml_output import ManifestLoader

SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class SourcedManifest:
    """A manifest and where it was read from."""

    manifest: dict[str, Any]
    location: Location


def manifest_files(paths: list[Path]) -> list[Path]:
    """The files named, and every YAML/JSON file below the folders named, in a stable order."""
    files, problems = [], []
    for path in paths:
        if str(path) == "-":
            files.append(path)
        elif path.is_dir():
            files += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            files.append(path)
        else:
            problems.append(
                Problem(None, "", f"{path}: no such file or folder", "pass YAML files or folders holding them")
            )
    if problems:
        raise InputError(problems)
    return files


def read_manifests(paths: list[Path]) -> list[SourcedManifest]:
    """Every manifest in the files and folders, all-or-nothing."""
    out, problems = [], []
    for path in manifest_files(paths):
        try:
            out += _read_file(path)
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    if not out:
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    f"no Kubernetes manifests in {', '.join(map(str, paths))}",
                    "pass YAML files (or folders of them) holding objects with apiVersion, kind and metadata.name",
                )
            ]
        )
    return out


def _read_file(path: Path) -> list[SourcedManifest]:
    name = "<stdin>" if str(path) == "-" else str(path)
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([Problem(None, "", f"{name}: cannot be read ({error})")]) from None
    constructor = ManifestLoader("")
    out, problems = [], []
    try:
        for node in yaml.compose_all(text, Loader=ManifestLoader):
            where = Location(name, node.start_mark.line + 1, node.start_mark.column + 1)
            try:
                document = constructor.construct_document(node)
            except yaml.YAMLError as error:
                problems.append(Problem(where, "", f"cannot be read as data: {getattr(error, 'problem', error)}"))
                continue
            for manifest in _expand(document):
                problem = _shape_problem(manifest, where)
                if problem:
                    problems.append(problem)
                else:
                    out.append(SourcedManifest(manifest, where))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problems.append(
            Problem(
                Location(name, mark.line + 1, mark.column + 1) if mark else None,
                "",
                f"YAML syntax error: {(error.problem or error.context or '').strip()}",
                "check indentation, colons, quotes and brackets around this position",
            )
        )
    except yaml.YAMLError as error:
        problems.append(Problem(Location(name, 1, 1), "", f"YAML error: {error}"))
    if problems:
        raise InputError(problems)
    return out


# Build configuration that sits beside manifests (kustomization.yaml): not objects of the cluster.
NOT_OBJECTS = ("kustomize.config.k8s.io/",)


def _expand(document: Any) -> list[Any]:
    if document is None:
        return []
    if isinstance(document, dict) and str(document.get("apiVersion", "")).startswith(NOT_OBJECTS):
        return []
    if (
        isinstance(document, dict)
        and isinstance(document.get("kind"), str)
        and document["kind"].endswith("List")
        and isinstance(document.get("items"), list)
    ):
        return [item for item in document["items"] if item is not None]
    return [document]


def _shape_problem(manifest: Any, where: Location) -> Problem | None:
    if not isinstance(manifest, dict):
        return Problem(
            where,
            "",
            f"expected a Kubernetes object (a mapping), got {type(manifest).__name__}",
            "each YAML document is one object with apiVersion, kind and metadata",
        )
    for key in ("apiVersion", "kind"):
        if not isinstance(manifest.get(key), str) or not manifest[key]:
            return Problem(where, key, f"missing {key}", "every Kubernetes object names its apiVersion and kind")
    metadata = manifest.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str) or not metadata["name"]:
        return Problem(
            where,
            "metadata.name",
            "missing metadata.name",
            "generateName is not supported: the pipeline identifies objects by name",
        )
    return None
