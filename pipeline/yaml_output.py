"""Manifests as YAML text: stable, sorted, diff-friendly, and fast (libyaml's emitter)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml


class ManifestDumper(yaml.CSafeDumper):
    """libyaml's safe dumper: multi-line strings as literal blocks, never anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


ManifestDumper.add_representer(str, _represent_str)

# No line folding: a long PromQL expression stays on one line, so a change to it is one line.
_OPTIONS: dict[str, Any] = {
    "Dumper": ManifestDumper,
    "sort_keys": True,
    "default_flow_style": False,
    "allow_unicode": True,
    "width": 1_000_000,
    "indent": 2,
}


def dump_manifest(manifest: dict[str, Any]) -> str:
    """One manifest as a YAML document; keys sorted at every level."""
    return yaml.dump(manifest, **_OPTIONS)


def dump_documents(manifests: Iterable[dict[str, Any]]) -> str:
    """Several manifests as one multi-document YAML stream."""
    return yaml.dump_all(list(manifests), explicit_start=True, **_OPTIONS)


def load_documents(text: str) -> list[Any]:
    """Every non-empty document of a YAML stream (libyaml's fast safe loader)."""
    return [doc for doc in yaml.load_all(text, Loader=yaml.CSafeLoader) if doc is not None]
