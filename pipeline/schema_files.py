"""The files of a `--schema-dir` folder, read within limits (pipeline.crd_schemas_input's input).

Limits: MAX_FILES files listed per folder, MAX_FILE bytes per file and MAX_TOTAL bytes read in
all (a catalog file is read only when an object of its kind is checked). Every problem names the
file and, where the YAML or JSON can be parsed, the line of the key it is about.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import yaml

from kube.api_versions import removed
from model.errors import InputError, Location, Problem
from pipeline.crd_rules import Issue, KeyPath, dotted
from pipeline.input_text import read_text
from pipeline.json_input import read_json
from pipeline.manifest_input import read_manifests
from pipeline.yaml_output import ManifestLoader

MAX_FILES = 50_000
MAX_FILE = 16 * 2**20
MAX_TOTAL = 256 * 2**20
SUFFIXES = (".json", ".yaml", ".yml")
_CATALOG_NAME = re.compile(r"([a-z0-9]+)_([a-z][-a-z0-9]*)\.json")
_HINT = "--schema-dir takes CRD files and catalog schemas (<group>/<kind>_<version>.json)"


class Schemas(Protocol):
    """What scan fills: a SchemaSet."""

    catalog: dict[tuple[str, str, str], Path]
    skipped: list[str]

    def add_crd(self, crd: dict[str, Any], source: str) -> list[Issue]: ...


def catalog_key(relative: Path) -> tuple[str, str, str] | None:
    """(group, kind in lower case, version) of a path in the catalog layout, <group>/<kind>_<version>.json."""
    match = _CATALOG_NAME.fullmatch(relative.name)
    if match is None or len(relative.parts) < 2 or "." not in relative.parts[-2]:
        return None
    return relative.parts[-2], match[1], match[2]


def _files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.suffix in SUFFIXES and not any(p.startswith(".") for p in path.relative_to(folder).parts):
            if path.is_file():
                yield path


def scan(schemas: Schemas, folder: Path) -> list[Problem]:
    """Index the catalog files below folder and add its CRDs to schemas; the problems found."""
    if not folder.is_dir():
        return [Problem(None, "", f"--schema-dir {folder}: no such folder", _HINT)]
    problems: list[Problem] = []
    total = 0
    for count, path in enumerate(_files(folder)):
        if count == MAX_FILES:
            problems.append(Problem(None, "", f"{folder}: more than {MAX_FILES} files", "point at a smaller folder"))
            break
        key = catalog_key(path.relative_to(folder))
        if key is not None:
            schemas.catalog.setdefault(key, path)
            continue
        try:
            text = read_text(path, MAX_FILE, f"a schema file is at most {MAX_FILE // 2**20} MiB")
        except InputError as error:
            problems += error.problems
            continue
        total += len(text)
        if total > MAX_TOTAL:
            problems.append(Problem(None, "", f"{folder}: more than {MAX_TOTAL // 2**20} MiB of CRD files", _HINT))
            break
        if "CustomResourceDefinition" not in text:
            schemas.skipped.append(str(path))
            continue
        problems += _crds(schemas, path, text)
    return problems


def _crds(schemas: Schemas, path: Path, text: str) -> list[Problem]:
    try:
        sourced = read_manifests([path])
    except InputError as error:
        return list(error.problems)
    problems = []
    for item in sourced:
        crd = item.manifest
        if crd.get("kind") != "CustomResourceDefinition":
            continue
        name = (crd.get("metadata") or {}).get("name", "?")
        gone = removed(str(crd.get("apiVersion")), "CustomResourceDefinition")
        if gone is not None:
            hint = "its schema is not used: write it as apiextensions.k8s.io/v1 (spec.versions[*].schema)"
            problems.append(
                Problem(item.location, "apiVersion", f"CustomResourceDefinition {name}: {gone.message()}", hint)
            )
            continue
        for issue in schemas.add_crd(crd, f"CustomResourceDefinition {name} ({item.location})"):
            where = _line(text, item.location, issue.path)
            message = f"CustomResourceDefinition {name}: {issue.message}"
            problems.append(
                Problem(where or item.location, dotted(issue.path), message, "the API server would refuse it")
            )
    return problems


def read_catalog(path: Path) -> Any:
    """The data of a catalog file; InputError when it is no JSON object."""
    data = read_json(path, _HINT)
    if not isinstance(data, dict):
        raise InputError([Problem(Location(str(path), 1, 1), "", "a catalog schema is a JSON object", _HINT)])
    return data


def problem(path: Path, key_path: KeyPath, message: str, hint: str) -> Problem:
    """A problem of a catalog file at the line of key_path (or the file's first line)."""
    try:
        text = read_text(path, MAX_FILE, hint)
    except InputError:
        text = ""
    return Problem(
        _line(text, Location(str(path), 1, 1), key_path) or Location(str(path), 1, 1), dotted(key_path), message, hint
    )


def _line(text: str, start: Location, key_path: KeyPath) -> Location | None:
    """The position of key_path in the object at start (a document, or an item of a List), as far as it goes."""
    try:
        documents = list(yaml.compose_all(text, Loader=ManifestLoader))
    except yaml.YAMLError:
        return None
    node = next((n for n in _objects(documents) if n.start_mark.line + 1 == start.line), None)
    if node is None:
        return None
    where = node.start_mark
    for part in key_path:
        if isinstance(node, yaml.MappingNode):
            pair = next(
                ((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)), None
            )
            if pair is None:
                break
            where, node = pair[0].start_mark, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            where = node.start_mark
        else:
            break
    return Location(start.file, where.line + 1, where.column + 1)


def _objects(documents: list[yaml.Node]) -> Iterator[yaml.Node]:
    """Each document, and each item of a List document."""
    for document in documents:
        yield document
        if isinstance(document, yaml.MappingNode):
            for key, value in document.value:
                if isinstance(key, yaml.ScalarNode) and key.value == "items" and isinstance(value, yaml.SequenceNode):
                    yield from value.value
