"""The comparison form of a manifest: what differs only in form compares equal.

- Lists whose items carry a unique name (containers, env, ports, volumes, ...) become mappings
  keyed by that name, so reordering them is no change and a change names the item.
  volumeMounts are keyed by mountPath (two mounts may share a volume), ExternalSecret data
  by secretKey.
- Quantities compare by value: "1000m" == "1", "1Gi" == "1024Mi".
"""

from __future__ import annotations

from typing import Any

from kube.quantity import InvalidQuantity, parse_quantity
from pipeline.diff.paths import item_key

# Mapping keys whose values (or whose children's values) are Kubernetes quantities.
QUANTITY_MAPS = frozenset(
    {
        "requests",
        "limits",
        "hard",
        "used",
        "min",
        "max",
        "default",
        "defaultRequest",
        "maxLimitRequestRatio",
        "minAllowed",
        "maxAllowed",
        "capacity",
        "allocatable",
    }
)
QUANTITY_KEYS = frozenset({"sizeLimit", "storage"})
ITEM_KEYS = {"volumeMounts": "mountPath", "data": "secretKey"}


def normalize(value: Any, key: str = "", in_quantities: bool = False) -> Any:
    """The comparison form of a manifest (or of any part of one); in_quantities: a value of a quantity map."""
    if isinstance(value, dict):
        return {k: normalize(v, k, key in QUANTITY_MAPS) for k, v in value.items()}
    if isinstance(value, list):
        keyed = _keyed(value, ITEM_KEYS.get(key, "name"))
        if keyed is not None:
            return {item_key(name): normalize(item, key) for name, item in keyed.items()}
        return [normalize(item, key) for item in value]
    if (in_quantities or key in QUANTITY_KEYS) and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return _quantity(value)
    return value


def _keyed(items: list[Any], field: str) -> dict[str, Any] | None:
    """items by their `field`, when every item is a mapping with a distinct string value there."""
    if not items or not all(isinstance(item, dict) and isinstance(item.get(field), str) for item in items):
        return None
    names = [item[field] for item in items]
    if len(set(names)) != len(names):
        return None
    return dict(zip(names, items, strict=True))


def _quantity(value: Any) -> Any:
    try:
        return f"quantity:{parse_quantity(value).normalize()}"
    except (InvalidQuantity, ArithmeticError, ValueError):
        return value
