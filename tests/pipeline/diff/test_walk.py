"""pipeline.diff.walk: walking only where mappings differ finds exactly what deepdiff on the whole finds."""

from __future__ import annotations

import copy
import random
from typing import Any

from deepdiff import DeepDiff

from pipeline.diff.normalize import normalize
from pipeline.diff.paths import format_path
from pipeline.diff.walk import changed_fields
from tests.conftest import key_paths


def whole(old: Any, new: Any) -> list[tuple[str, str, str]]:
    """What deepdiff says over the whole of two comparison forms (what the engine ran before walk)."""
    diff = DeepDiff(old, new, view="tree", verbose_level=2, threshold_to_diff_deeper=0)
    out = []
    for kind in diff:
        for level in diff[kind]:
            before = None if type(level.t1).__name__ == "NotPresent" else level.t1
            after = None if type(level.t2).__name__ == "NotPresent" else level.t2
            out.append((format_path(level.path(output_format="list")), repr(before), repr(after)))
    return sorted(out)


def walked(old: Any, new: Any) -> list[tuple[str, str, str]]:
    return sorted((format_path(parts), repr(b), repr(a)) for parts, b, a in changed_fields(old, new))


def mutate(manifest: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy with a few random edits: a value changed or retyped, a key added or dropped, a list item added."""
    out = copy.deepcopy(manifest)
    paths = [p for p in key_paths(out) if p]
    for path in rng.sample(paths, min(3, len(paths))):
        try:  # an earlier edit may have replaced or dropped what this path went through
            parent = out
            for key in path[:-1]:
                parent = parent[key]
            last = path[-1]
            value = parent[last]
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(parent, (dict, list)):
            continue
        choice = rng.randrange(5)
        if choice == 0:
            parent[last] = f"changed-{rng.randrange(100)}"
        elif choice == 1:
            parent[last] = 1.0 if not isinstance(value, float) else 1  # a change of type
        elif choice == 2 and isinstance(parent, dict):
            del parent[last]
        elif choice == 3 and isinstance(value, dict):
            value[f"added-{rng.randrange(100)}"] = {"nested": [1, 2]}
        elif isinstance(value, list):
            value.insert(0, {"name": f"new-{rng.randrange(100)}", "value": "x"})
    return out


def test_the_walk_finds_what_deepdiff_on_the_whole_finds(rendered):
    rng = random.Random(14)
    manifests = list(rendered["prod"].manifests)
    compared = 0
    for manifest in rng.sample(manifests, 120):
        for _ in range(3):
            old, new = normalize(manifest), normalize(mutate(manifest, rng))
            expected = whole(old, new)
            assert walked(old, new) == expected, manifest["metadata"]
            compared += bool(expected)
    assert compared > 300  # the mutations did change something nearly every time


def test_equal_subtrees_are_never_handed_to_deepdiff(monkeypatch):
    from pipeline.diff import walk

    seen = []
    real = walk.DeepDiff
    monkeypatch.setattr(walk, "DeepDiff", lambda old, new, **kw: seen.append((old, new)) or real(old, new, **kw))
    schema = {"properties": {f"p{i}": {"type": "string", "description": "d" * 50} for i in range(500)}}
    old = {"spec": {"versions": {"[v1]": {"schema": schema}}, "scope": "Namespaced"}}
    new = copy.deepcopy(old)
    new["spec"]["versions"]["[v1]"]["schema"]["properties"]["p7"]["type"] = "integer"
    assert changed_fields(old, new) == [
        (["spec", "versions", "[v1]", "schema", "properties", "p7", "type"], "string", "integer")
    ]
    assert seen == [("string", "integer")]  # one leaf, not the 500 properties
