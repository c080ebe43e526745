"""What the diff says: per resource, its rollout class, its field changes and what it weakens."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from kube.identity import ResourceId


class RolloutClass(Enum):
    """What applying a change does to a resource, from harmless to disruptive."""

    CREATE = "create"
    UPDATE = "update"  # patched in place, nothing restarts
    RESTART = "restart"  # the pod template changed: a rolling restart
    REPLACE = "replace"  # an immutable field changed: delete and create again
    DELETE = "delete"

    @property
    def disruptive(self) -> bool:
        return self in (RolloutClass.REPLACE, RolloutClass.DELETE)


class Risk(Enum):
    """A way a change weakens the platform."""

    REPLICAS_LOWERED = "replicas lowered"
    HPA_MINIMUM_LOWERED = "HPA minimum lowered"
    PDB_LOWERED = "disruption budget lowered"
    SECURITY_RELAXED = "securityContext relaxed"
    INGRESS_WIDENED = "NetworkPolicy ingress widened"
    EGRESS_WIDENED = "NetworkPolicy egress widened"
    QUOTA_RAISED = "quota raised"
    IMAGE_UNPINNED = "image moved off a digest"


@dataclass(frozen=True)
class LongValue:
    """A value too long to show (a CRD schema, a dashboard): its lines before and after, and how many changed.

    old_lines None: the value was added; new_lines None: it was removed.
    """

    old_lines: int | None
    new_lines: int | None
    added: int  # lines only the new value has
    removed: int  # lines only the old value has

    @property
    def note(self) -> str:
        """changed, 120 -> 131 lines (+14 -3); added, 40 lines; removed, 40 lines."""
        if self.old_lines is None:
            return f"added, {self.new_lines} lines"
        if self.new_lines is None:
            return f"removed, {self.old_lines} lines"
        return f"changed, {self.old_lines} -> {self.new_lines} lines (+{self.added} -{self.removed})"

    def as_dict(self) -> dict[str, int | None]:
        return {"old_lines": self.old_lines, "new_lines": self.new_lines, "added": self.added, "removed": self.removed}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LongValue:
        return cls(data["old_lines"], data["new_lines"], data["added"], data["removed"])


@dataclass(frozen=True)
class FieldChange:
    """One field: its path, and what it was and is (already redacted and shortened for people)."""

    path: str
    old: str | None  # None: the field was added
    new: str | None  # None: the field was removed
    note: str = ""  # e.g. "config changed" for the config checksum
    lines: tuple[str, ...] = ()  # a line diff for multi-line values (ConfigMap files)
    long: LongValue | None = None  # set when the value is summarised instead of shown (note says how)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "old": self.old, "new": self.new}
        if self.note:
            out["note"] = self.note
        if self.lines:
            out["lines"] = list(self.lines)
        if self.long is not None:
            out["long"] = self.long.as_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FieldChange:
        long = LongValue.from_dict(data["long"]) if data.get("long") is not None else None
        return cls(data["path"], data["old"], data["new"], data.get("note", ""), tuple(data.get("lines", ())), long)


@dataclass(frozen=True)
class Flag:
    """A weakening, with the field that shows it."""

    risk: Risk
    path: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"risk": self.risk.value, "path": self.path, "detail": self.detail}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Flag:
        return cls(Risk(data["risk"]), data["path"], data["detail"])


@dataclass(frozen=True)
class ResourceChange:
    """How one resource changes between two renders."""

    resource_id: ResourceId
    rollout: RolloutClass
    changes: tuple[FieldChange, ...] = ()
    flags: tuple[Flag, ...] = ()
    reasons: tuple[str, ...] = ()  # why it is a restart or a replacement
    tenant: str | None = None  # the dedicated tenant whose namespace holds it; None: the shared platform

    @property
    def title(self) -> str:
        return str(self.resource_id)

    def as_dict(self) -> dict[str, Any]:
        rid = self.resource_id
        return {
            "resource": self.title,
            "group": rid.group,
            "kind": rid.kind,
            "namespace": rid.namespace,
            "name": rid.name,
            "tenant": self.tenant,
            "rollout": self.rollout.value,
            "reasons": list(self.reasons),
            "risks": [f.as_dict() for f in self.flags],
            "changes": [c.as_dict() for c in self.changes],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ResourceChange:
        return cls(
            ResourceId(data["group"], data["kind"], data["namespace"], data["name"]),
            RolloutClass(data["rollout"]),
            tuple(FieldChange.from_dict(c) for c in data["changes"]),
            tuple(Flag.from_dict(f) for f in data["risks"]),
            tuple(data["reasons"]),
            data.get("tenant"),
        )


@dataclass(frozen=True)
class StageDiff:
    """Every changed resource of a stage (unchanged ones are only counted)."""

    stage: str
    changes: tuple[ResourceChange, ...]
    unchanged: int

    def of(self, rollout: RolloutClass) -> tuple[ResourceChange, ...]:
        return tuple(c for c in self.changes if c.rollout is rollout)

    @property
    def counts(self) -> dict[str, int]:
        return {rollout.value: len(self.of(rollout)) for rollout in RolloutClass}

    @property
    def flags(self) -> tuple[tuple[ResourceChange, Flag], ...]:
        return tuple((change, flag) for change in self.changes for flag in change.flags)

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def tenants(self) -> tuple[str | None, ...]:
        """The groups that have changes: the shared platform (None) first, then tenants sorted."""
        present = {c.tenant for c in self.changes}
        return ((None,) if None in present else ()) + tuple(sorted(t for t in present if t is not None))

    @property
    def has_tenants(self) -> bool:
        """Whether any change is a dedicated tenant's (reports group by tenant only then)."""
        return any(c.tenant is not None for c in self.changes)

    def of_tenant(self, tenant: str | None) -> tuple[ResourceChange, ...]:
        return tuple(c for c in self.changes if c.tenant == tenant)

    def tenant_counts(self, tenant: str | None) -> dict[str, int]:
        changes = self.of_tenant(tenant)
        return {rollout.value: sum(1 for c in changes if c.rollout is rollout) for rollout in RolloutClass}

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "counts": self.counts,
            "unchanged": self.unchanged,
            "tenants": [{"tenant": t, "counts": self.tenant_counts(t)} for t in self.tenants],
            "changes": [c.as_dict() for c in self.changes],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StageDiff:
        """The inverse of as_dict (counts and tenants are derived from the changes)."""
        return cls(data["stage"], tuple(ResourceChange.from_dict(c) for c in data["changes"]), data["unchanged"])
