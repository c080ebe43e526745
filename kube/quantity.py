"""Kubernetes resource quantities ("500m", "2", "512Mi"): validation and exact values."""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from functools import lru_cache

# The grammar of k8s.io/apimachinery/pkg/api/resource: a signed decimal number, then a binary
# suffix (Ki..Ei), a decimal suffix (n u m "" k M G T P E) or a decimal exponent (e3, E-2).
# kubernetes.utils.parse_quantity is laxer (it takes "1K"), so the grammar is checked first.
QUANTITY = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?\Z")

EXAMPLES = "500m, 2, 512Mi or 4Gi"


class InvalidQuantity(ValueError):
    """A string that is not a Kubernetes quantity."""


def is_quantity(value: object) -> bool:
    """Whether value is an int or a string the Kubernetes API accepts as a quantity."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and QUANTITY.match(value) is not None


@lru_cache(maxsize=4096)
def _parse(text: str) -> Decimal:
    # Imported here: the kubernetes client package costs half a second to import and only
    # quantity arithmetic needs it.
    from kubernetes.utils.quantity import parse_quantity

    with localcontext() as context:  # exact for any quantity the API server can hold
        context.prec = 80
        return Decimal(parse_quantity(text))


def parse_quantity(value: str | int | float) -> Decimal:
    """The exact value of a quantity ("1000m" -> 1, "1Gi" -> 1073741824).

    Raises InvalidQuantity for anything the Kubernetes API would reject, e.g. "512MB".
    """
    if isinstance(value, bool):
        raise InvalidQuantity(f"{value!r} is not a quantity")
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if not is_quantity(value):
        raise InvalidQuantity(f"{value!r} is not a Kubernetes quantity (e.g. {EXAMPLES})")
    return _parse(value)
