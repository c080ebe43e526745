"""The config checksum annotation: a pod-template annotation that changes with its ConfigMaps."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

CONFIG_CHECKSUM_ANNOTATION = "checksum/config"


def checksum(data: Any) -> str:
    """A stable sha256 of JSON-able data."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def config_checksum(config_maps: Mapping[str, Mapping[str, str]]) -> str:
    """The checksum of the ConfigMaps a pod mounts: {name: data}, so a change to any of them rolls the pods."""
    return checksum({name: dict(data) for name, data in config_maps.items()})
