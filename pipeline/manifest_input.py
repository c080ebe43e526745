"""Reading Kubernetes manifests from files and folders (`pipeline check --manifests PATH...`).

Any YAML or JSON a user may hand over: multi-document streams, `kind: List` wrappers, output of
Helm, kustomize or a hand-written file, a pipe or stdin. Read as kubectl reads it (YAML 1.1:
libyaml composes, pipeline.manifest_yaml builds the data and refuses duplicate keys, foreign
tags, alias bombs, deep nesting and numbers no JSON holds). Bad input is an InputError naming
file, line and column; reading stays within limits of size, so of time and memory:

- MAX_INPUT bytes in all (every file of a run together, each file too): 16 MiB, some forty
  times a whole rendered stage of this platform
- MAX_OBJECT characters of YAML per object: 3 MiB, the API server's request limit
- at most MAX_PROBLEMS problems are listed per file
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from model.errors import InputError, Location, Problem
from pipeline.input_text import STDIN, TooLarge, decode, display_name, read_bytes
from pipeline.manifest_yaml import MAX_DEPTH, AliasBudget, ManifestBuilder, Refused
from pipeline.yaml_output import ManifestLoader

MAX_INPUT = 16 * 2**20
MAX_OBJECT = 3 * 2**20
MAX_PROBLEMS = 50
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
    if problems:
        raise InputError(problems)
    return files


def read_manifests(paths: list[Path]) -> list[SourcedManifest]:
    """Every manifest in the files and folders, all-or-nothing."""
    out, problems = [], []
    budget, left = AliasBudget(), MAX_INPUT
    for path in manifest_files(paths):
        try:
            data = read_bytes(path, left, _size_hint(left))
            left -= len(data)
            text = decode(data, display_name(path))
            budget.add_text(text)
            out += _read_text(text, display_name(path), budget)
        except TooLarge as error:
            problems += error.problems
            break  # the files after it would each be too large as well
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


def _size_hint(left: int) -> str:
    if left == MAX_INPUT:
        return f"no real set of manifests is this big: at most {MAX_INPUT // 2**20} MiB are read in all"
    return f"the files before it leave {left} of the {MAX_INPUT // 2**20} MiB read in all: check fewer at once"


def _read_text(text: str, name: str, budget: AliasBudget) -> list[SourcedManifest]:
    builder = ManifestBuilder(name, budget, MAX_PROBLEMS)
    out: list[SourcedManifest] = []
    problems = builder.problems
    try:
        for node in yaml.compose_all(text, Loader=ManifestLoader):
            before = len(problems)
            document = builder.build(node)
            if len(problems) > before:
                continue
            where = _where(name, node)
            for item_node, manifest in _expand(node, document):
                problem = _shape_problem(manifest, _where(name, item_node) if item_node is not node else where)
                problem = problem or _size_problem(name, item_node)
                if problem:
                    builder.add(problem)
                else:
                    out.append(SourcedManifest(manifest, _where(name, item_node)))
    except Refused as refused:
        problems.append(refused.problem)
    except yaml.MarkedYAMLError as error:
        problems.append(_syntax_problem(name, error))
    except yaml.reader.ReaderError as error:  # a character YAML does not allow (NUL, a C1 control)
        line = text.count("\n", 0, error.position) + 1
        column = error.position - text.rfind("\n", 0, error.position)
        problems.append(
            Problem(
                Location(name, line, column),
                "",
                f"a character YAML does not allow: {_character(error.character)!r} ({error.reason})",
                "remove it, or write it as an escape in a double-quoted string",
            )
        )
    except yaml.YAMLError as error:
        problems.append(Problem(Location(name, 1, 1), "", f"YAML error: {error}"))
    if problems:
        raise InputError(problems)
    return out


def _character(character: int | str) -> str:
    return chr(character) if isinstance(character, int) else character


def _where(name: str, node: yaml.Node) -> Location:
    return Location(name, node.start_mark.line + 1, node.start_mark.column + 1)


def _syntax_problem(name: str, error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    where = Location(name, mark.line + 1, mark.column + 1) if mark else None
    problem = (error.problem or error.context or "").strip()
    if "maximum nesting depth" in problem:  # libyaml's own limit, at 1000 levels
        return Problem(
            where,
            "",
            f"nested deeper than {MAX_DEPTH} levels of mappings and lists",
            "Kubernetes objects are nowhere near this deep: look for a generator that recursed",
        )
    return Problem(
        where,
        "",
        f"YAML syntax error: {problem}",
        "check indentation, colons, quotes and brackets around this position",
    )


def _size_problem(name: str, node: yaml.Node) -> Problem | None:
    size = _end(node) - node.start_mark.index
    if size <= MAX_OBJECT:
        return None
    return Problem(
        _where(name, node),
        "",
        f"an object of {size} characters of YAML: the API server takes requests of at most 3 MiB ({MAX_OBJECT} bytes)",
        "split the object (a ConfigMap or Secret holds at most 1 MiB of data)",
    )


# Build configuration that sits beside manifests (kustomization.yaml): not objects of the cluster.
NOT_OBJECTS = ("kustomize.config.k8s.io/",)


def _end(node: yaml.Node) -> int:
    """Where the text of a node ends: its last value's end (a block's own end comes after trailing comments)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value and not node.flow_style:
        last = node.value[-1]
        key, last = last if isinstance(node, yaml.MappingNode) else (node, last)
        if last.start_mark.index < key.start_mark.index:  # an alias of a node written before
            return max(key.end_mark.index, node.end_mark.index if key is node else 0)
        node = last
    return node.end_mark.index


def _expand(node: yaml.Node, document: Any) -> list[tuple[yaml.Node, Any]]:
    """The objects of a document with the node of each: itself, or the items of a `kind: List`."""
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
        item_nodes = _items_nodes(node)
        return [
            (item_nodes[i] if item_nodes and i < len(item_nodes) else node, item)
            for i, item in enumerate(document["items"])
            if item is not None
        ]
    return [(node, document)]


def _items_nodes(node: yaml.Node) -> list[yaml.Node] | None:
    """The item nodes of a List document's `items` (None when they cannot be told: a merge key, an alias)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "items" and isinstance(value, yaml.SequenceNode):
            return value.value
    return None


def _shape_problem(manifest: Any, where: Location) -> Problem | None:
    if not isinstance(manifest, dict):
        return Problem(
            where,
            "",
            f"expected a Kubernetes object (a mapping), got {type(manifest).__name__}",
            "each YAML document is one object with apiVersion, kind and metadata",
        )
    for key in ("apiVersion", "kind"):
        if manifest.get(key) in (None, ""):
            return Problem(where, key, f"missing {key}", "every Kubernetes object names its apiVersion and kind")
        if not isinstance(manifest[key], str):
            return Problem(where, key, f"must be a string, not {_kind_of(manifest[key])}", "e.g. apiVersion: v1")
    metadata = manifest.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("name") in (None, ""):
        return Problem(
            where,
            "metadata.name",
            "missing metadata.name",
            "generateName is not supported: the pipeline identifies objects by name",
        )
    for key in ("name", "namespace"):
        if metadata.get(key) is not None and not isinstance(metadata[key], str):
            return Problem(
                where,
                f"metadata.{key}",
                f"must be a string, not {_kind_of(metadata[key])}",
                "names are DNS labels or subdomains: quote one that YAML reads as a number or boolean",
            )
    for key in ("labels", "annotations"):  # read by the pipeline itself (tenancy, identity), not only by rules
        if metadata.get(key) is not None and not isinstance(metadata[key], dict):
            return Problem(
                where,
                f"metadata.{key}",
                f"must be a mapping of names to strings, not {_kind_of(metadata[key])}",
                "e.g. labels: {app.kubernetes.io/name: agent-service}",
            )
    return None


def _kind_of(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)
