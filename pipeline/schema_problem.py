"""A schema check's problem: an object that does not validate, or that no schema covers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kube.identity import ResourceId


@dataclass(frozen=True)
class SchemaProblem:
    """An object that does not validate, or (not_validated) a custom resource no schema covers.

    not_validated marks the second: nothing is known to be wrong, the object was only not checked;
    the caller decides whether that fails the check (`--strict-schemas`).
    """

    resource: str  # Kind namespace/name
    resource_id: ResourceId | None
    path: str
    message: str
    not_validated: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "path": self.path,
            "message": self.message,
            "not_validated": self.not_validated,
        }
