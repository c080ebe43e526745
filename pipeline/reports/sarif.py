"""The check report as SARIF 2.1.0, for GitHub code scanning.

One run per stage (its own automationDetails category), every rule of the pack described in the
driver (its catalog entry as helpUri, its theme's tags, and for security rules the
security-severity GitHub ranks alerts by), each result pointing at the stage-file key that
caused it where it can, else at the manifest's field. Unreadable documents are results of the
`input` rule (skipped non-objects as notes), custom resources no schema covers are notes
unless --strict-schemas, and a finding a skip covers stays a result with SARIF's
`suppressions` (inSource for an annotation, external for a skip file) and its reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from model.errors import Location, Problem
from pipeline.docs import CATALOG
from pipeline.manifest_input import Skipped
from pipeline.policy_run import Finding
from pipeline.suppressions import ANNOTATION
from pipeline.verdict import Located, StageCheck
from policies.rules import PLATFORM, THEME_OF, profile_rules, remediation

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL = "agent-platform-policies"
SCHEMA_RULE = "kubernetes-schema"
INPUT_RULE = "input"


def catalog_url(environ: Mapping[str, str], root: Path) -> str | None:
    """Where the policy catalog is read: the analysed commit's docs/policies.md on GitHub (in Actions),
    else the catalog of the checkout at root, else nowhere (an installed package has no docs/)."""
    server, repository, sha = (environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if server and repository and sha:
        return f"{server}/{repository}/blob/{sha}/{CATALOG}"
    local = root.resolve() / CATALOG
    return local.as_uri() if local.is_file() else None


def _rules(catalog: str | None, profile: str = PLATFORM) -> list[dict[str, Any]]:
    described = []
    for rule in profile_rules(profile).values():
        doc = (rule.__doc__ or "").strip().split("\n\n")
        theme = THEME_OF[rule.ID]
        level = "error" if rule.ENFORCEMENT == "mandatory" else "warning"
        properties: dict[str, Any] = {"tags": ["kubernetes", *theme.tags], "precision": "very-high"}
        if theme.security_severity is not None:
            properties["security-severity"] = theme.security_severity
        else:
            properties["problem.severity"] = level
        described.append(
            {
                "id": rule.ID,
                "name": "".join(part.capitalize() for part in rule.ID.split("-")),
                "shortDescription": {"text": rule.DESCRIPTION},
                "fullDescription": {"text": " ".join(doc[1].split()) if len(doc) > 1 else rule.DESCRIPTION},
                "help": {"text": remediation(rule, profile)},
                "defaultConfiguration": {"level": level},
                "properties": properties,
            }
            | ({"helpUri": f"{catalog}#{rule.ID}"} if catalog else {})
        )
    described.append(
        {
            "id": SCHEMA_RULE,
            "name": "KubernetesSchema",
            "shortDescription": {"text": "Objects validate against the Kubernetes API schema."},
            "help": {"text": "Fix the field the message names; the API server would reject the object."},
            "helpUri": "https://kubernetes.io/docs/reference/kubernetes-api/",
            "defaultConfiguration": {"level": "error"},
            "properties": {
                "tags": ["kubernetes", "correctness"],
                "precision": "very-high",
                "problem.severity": "error",
            },
        }
    )
    described.append(
        {
            "id": INPUT_RULE,
            "name": "ReadableInput",
            "shortDescription": {"text": "Every document of the input is read; one that cannot be is reported."},
            "help": {"text": "Fix the document at the position given; the other documents were checked."},
            "defaultConfiguration": {"level": "error"},
            "properties": {
                "tags": ["kubernetes", "correctness"],
                "precision": "very-high",
                "problem.severity": "error",
            },
        }
    )
    return described


def _as_problem(skipped: Skipped) -> Problem:
    return Problem(Location(skipped.file, skipped.line, 1), "", f"skipped: {skipped.reason}")


def _input_location(problem: Problem) -> list[dict[str, Any]]:
    return [] if problem.location is None else _location(Located(problem.location), problem.key_path or "input")


def _location(where: Located | None, logical: str) -> list[dict[str, Any]]:
    if where is None:
        return []
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": where.location.file, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": where.location.line, "startColumn": where.location.column},
        }
    }
    location["logicalLocations"] = [{"fullyQualifiedName": logical, "kind": "resource"}]
    return [location]


def _run(check: StageCheck, rules: list[dict[str, Any]]) -> dict[str, Any]:
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [
        {
            "ruleId": INPUT_RULE,
            "ruleIndex": index[INPUT_RULE],
            "level": level,
            "message": {"text": f"{problem.message}" + (f" Hint: {problem.hint}" if problem.hint else "")},
            "locations": _input_location(problem),
            "properties": {"stage": check.stage},
        }
        for level, problems in (("error", check.input_problems), ("note", map(_as_problem, check.skipped)))
        for problem in problems
    ]
    for i, problem in enumerate(check.schema_problems):
        results.append(
            {
                "ruleId": SCHEMA_RULE,
                "ruleIndex": index[SCHEMA_RULE],
                "level": "error" if check.fails(problem) else "note",
                "message": {"text": f"{problem.resource} {problem.path}: {problem.message}"},
                "locations": _location(check.schema_locations.get(i), problem.resource),
                "properties": {"stage": check.stage},
            }
        )
    for i, finding in enumerate(check.findings):
        results.append(_result(check, finding, check.locations.get(i), index))
    for i, suppressed in enumerate(check.suppressed):
        skip = suppressed.skip
        result = _result(check, suppressed.finding, check.suppressed_locations.get(i), index)
        # SARIF's own way: the result stays, marked suppressed with its justification
        result["suppressions"] = [
            {"kind": "inSource" if skip.source == ANNOTATION else "external", "justification": skip.reason}
        ]
        results.append(result)
    return {
        "tool": {"driver": {"name": TOOL, "version": "0.1.0", "rules": rules}},
        "automationDetails": {"id": f"pipeline-check/{check.stage}/"},
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the repository root"}}},
        "results": results,
    }


def _result(check: StageCheck, finding: Finding, where: Located | None, index: Mapping[str, int]) -> dict[str, Any]:
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": "error" if finding.mandatory else "warning",
        "message": {"text": f"{finding.message()} Fix: {finding.remediation}"},
        "locations": _location(where, f"{finding.resource} {finding.path}".rstrip()),
        "properties": {
            "stage": check.stage,
            "path": finding.path,
            "observed": finding.observed,
            "expected": finding.expected,
        },
    }


def render(checks: list[StageCheck], catalog: str | None = None) -> str:
    """The SARIF log of the checks; catalog: the policy catalog's URL (see catalog_url)."""
    rules = {profile: _rules(catalog, profile) for profile in {check.profile for check in checks}}
    runs = [_run(check, rules[check.profile]) for check in checks]  # the rules and fix texts of its profile
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}, indent=2) + "\n"
