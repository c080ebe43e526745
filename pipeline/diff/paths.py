"""Field paths as Kubernetes users write them: spec.template.spec.containers[agent].image."""

from __future__ import annotations

import re
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def item_key(name: str) -> str:
    """The key a named list item gets in the normalized form: [agent]."""
    return f"[{name}]"


def is_item_key(key: Any) -> bool:
    return isinstance(key, str) and key.startswith("[") and key.endswith("]")


def format_path(parts: list[Any]) -> str:
    """['spec', 'containers', '[agent]', 'image'] -> spec.containers[agent].image; odd keys quoted."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif is_item_key(part):
            out += part
        elif _PLAIN.match(str(part)):
            out += f".{part}" if out else str(part)
        else:
            out += f"[{str(part)!r}]"
    return out


def lookup(manifest: Any, parts: list[Any]) -> Any:
    """The raw value at a normalized path ([name] keys find list items by name, mountPath or secretKey)."""
    node = manifest
    for part in parts:
        if is_item_key(part) and isinstance(node, list):
            wanted = part[1:-1]
            node = next(
                (
                    item
                    for item in node
                    if isinstance(item, dict)
                    and wanted in (item.get("name"), item.get("mountPath"), item.get("secretKey"))
                ),
                None,
            )
        elif isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node
