"""Layering of stage files over defaults: mappings merge by key, anything else replaces."""

from __future__ import annotations

from typing import Any

from model.source import KeyPath, SourceMap


def deep_merge(base: Any, override: Any) -> Any:
    """override laid over base: mappings merge recursively, other values (lists too) replace."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = deep_merge(base[key], value) if key in base else value
        return merged
    return override


def merge_sources(base: SourceMap, override: SourceMap, override_data: Any) -> SourceMap:
    """The source map of deep_merge(base_data, override_data).

    A path keeps base's position unless override wrote it; what override replaced wholesale
    (a list, a scalar) drops base's positions below it. Linear in the number of positions
    (each base path looks up its own prefixes), so a stage file of many keys loads in time.
    """
    replaced = {path for path in _leaf_paths(override_data, ()) if path}
    positions = {
        path: location
        for path, location in base.positions.items()
        if not any(path[:end] in replaced for end in range(1, len(path)))
    }
    for path, location in override.positions.items():
        if path:
            positions[path] = location
    return SourceMap(positions)


def _leaf_paths(data: Any, path: KeyPath) -> list[KeyPath]:
    """Paths of every non-mapping value in data (the values that replace rather than merge)."""
    if isinstance(data, dict):
        out: list[KeyPath] = []
        for key, value in data.items():
            out.extend(_leaf_paths(value, path + (key,)))
        return out
    return [path]
