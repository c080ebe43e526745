"""JSON Schemas of the custom resources the platform renders (see README.md for their sources)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import jsonschema

from kube.identity import split_api_version


def _file_name(api_version: str, kind: str) -> str:
    group, version = split_api_version(api_version)
    return f"{group}_{version}_{kind}.json"


@cache
def known_custom_resources() -> list[tuple[str, str]]:
    """(apiVersion, kind) of every custom resource with a schema here."""
    out = []
    for entry in resources.files(__name__).iterdir():
        if entry.name.endswith(".json"):
            group, version, kind = entry.name[:-5].split("_")
            out.append((f"{group}/{version}", kind))
    return sorted(out)


@cache
def crd_validator(api_version: str, kind: str) -> jsonschema.Draft202012Validator | None:
    """A compiled validator for a custom resource kind, or None when no schema is known.

    Looked up among the known kinds, never by building a path from the manifest's strings (a
    kind such as "../x" or 300 characters long is simply unknown).
    """
    if (api_version, kind) not in known_custom_resources():
        return None
    entry = resources.files(__name__).joinpath(_file_name(api_version, kind))
    schema = json.loads(entry.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)
