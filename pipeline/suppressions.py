"""Skipping a rule where it does not apply, only with a reason, and never invisibly.

Two ways, both kept in the report (text summary, JSON `suppressed`, SARIF `suppressions`):

- an annotation on the resource, `skip.policy.agentflow.example.com/<rule id>: <reason>`
  (as Checkov's `checkov.io/skip1: CKV_K8S_20=<reason>`, but one key per rule, so a chart's
  values can add one without parsing another);
- a skip file (`pipeline check --skips FILE`) listing whole rules, files or resources:

      skips:
        - rule: pss-privileged                       # a rule id; omitted: every rule (needs files)
          files: ["vendor/cilium/*.yaml"]            # optional globs over the reported file
          resources: ["DaemonSet kube-system/cilium"]  # optional globs over "Kind namespace/name"
          reason: the CNI agent loads eBPF programs  # required

A skip without a reason, or naming a rule the pack does not have, is an input problem: the
finding stays. Matching is pure; only load_skip_file reads a file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from model.errors import InputError, Location, Problem
from model.source import format_path, load_document
from pipeline.policy_config import unknown_rule_hint
from pipeline.policy_run import Finding
from policies.rules import RULES

ANNOTATION_PREFIX = "skip.policy.agentflow.example.com/"
ANNOTATION = "annotation"  # where a skip was declared: on the resource
SKIP_FILE = "skip file"  # or in the skip file
_ENTRY_KEYS = frozenset({"rule", "files", "resources", "reason"})


@dataclass(frozen=True)
class Skip:
    """One declared skip: which rule (None: every rule), where it holds, why, and where it was written."""

    rule_id: str | None
    reason: str
    source: str  # ANNOTATION | SKIP_FILE
    declared_at: Location | None
    files: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()

    def matches(self, finding: Finding, file: str | None) -> bool:
        """Whether this skip covers the finding (reported at file)."""
        if self.rule_id is not None and self.rule_id != finding.rule_id:
            return False
        if self.files and not (file and any(fnmatchcase(file, pattern) for pattern in self.files)):
            return False
        return not self.resources or any(fnmatchcase(finding.resource, pattern) for pattern in self.resources)


@dataclass(frozen=True)
class Suppressed:
    """A finding a skip covers: reported as skipped, not as a failure."""

    finding: Finding
    skip: Skip

    def as_dict(self) -> dict[str, Any]:
        where = self.skip.declared_at
        return {
            **self.finding.as_dict(),
            "reason": self.skip.reason,
            "skipped_by": self.skip.source,
            "declared_at": None if where is None else where.as_dict(),
        }


def annotation_skips(
    manifest: Mapping[str, Any], where: Callable[[str], Location | None]
) -> tuple[list[Skip], list[Problem]]:
    """The skips a resource's annotations declare, and a problem for each that cannot count.

    where gives the position of a field path (the annotation's line where the reader knows it).
    """
    annotations = (manifest.get("metadata") or {}).get("annotations") or {}
    skips, problems = [], []
    for key, value in annotations.items():
        if not isinstance(key, str) or not key.startswith(ANNOTATION_PREFIX):
            continue
        rule_id, at = key.removeprefix(ANNOTATION_PREFIX), where(f"metadata.annotations[{key}]")
        path = f"metadata.annotations.{key}"
        if rule_id not in RULES:
            problems.append(
                Problem(at, path, f"skips {rule_id!r}, which is no rule of the pack", unknown_rule_hint(rule_id))
            )
        elif not isinstance(value, str) or not value.strip():
            problems.append(Problem(at, path, "a skip without a reason", "say why the rule does not apply here"))
        else:
            skips.append(Skip(rule_id, value.strip(), ANNOTATION, at))
    return skips, problems


def load_skip_file(path: Path) -> list[Skip]:
    """The skips a skip file lists; InputError naming file, line and key path for anything wrong."""
    document = load_document(path)
    data, source = document.data, document.source
    problems: list[Problem] = []

    def problem(key_path: tuple[str | int, ...], message: str, hint: str) -> None:
        problems.append(Problem(source.locate(key_path), format_path(key_path), message, hint))

    entries = data.get("skips") if isinstance(data, dict) else None
    if not isinstance(data, dict) or set(data) - {"skips"} or not isinstance(entries, list):
        problem((), "expected a mapping with one key, skips: a list of skips", "see pipeline check --help")
        raise InputError(problems)
    skips = []
    for index, entry in enumerate(entries):
        at = ("skips", index)
        if not isinstance(entry, dict):
            problem(at, "expected a mapping (rule, files, resources, reason)", "e.g. {rule: image-tag, reason: ...}")
            continue
        for key in sorted(set(entry) - _ENTRY_KEYS, key=str):
            problem((*at, key), f"unknown key {key!r}", "a skip has rule, files, resources and reason")
        rule_id, reason = entry.get("rule"), entry.get("reason")
        files, resources = (_patterns(entry, key, at, problem) for key in ("files", "resources"))
        if rule_id is not None and rule_id not in RULES:
            problem((*at, "rule"), f"{rule_id!r} is no rule of the pack", unknown_rule_hint(str(rule_id)))
        if rule_id is None and not files:
            problem(at, "a skip of every rule needs files", "name the rule, or the files whose findings it skips")
        if not isinstance(reason, str) or not reason.strip():
            problem((*at, "reason"), "a skip without a reason", "say why the rule does not apply there")
            continue
        skips.append(Skip(rule_id, reason.strip(), SKIP_FILE, source.locate(at), files, resources))
    if problems:
        raise InputError(problems)
    return skips


def split_suppressed(
    findings: Sequence[Finding], skips_of: Callable[[int], Sequence[Skip]], file_of: Callable[[int], str | None]
) -> tuple[list[int], list[Suppressed]]:
    """The indexes of the findings no skip covers, and each covered finding with the skip that covers it."""
    kept, suppressed = [], []
    for index, finding in enumerate(findings):
        skip = next((s for s in skips_of(index) if s.matches(finding, file_of(index))), None)
        if skip is None:
            kept.append(index)
        else:
            suppressed.append(Suppressed(finding, skip))
    return kept, suppressed


def _patterns(entry: Mapping[str, Any], key: str, at: tuple, problem: Callable[..., None]) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        problem((*at, key), "expected a list of glob patterns", 'e.g. ["charts/vendor/*.yaml"]')
        return ()
    return tuple(value)
