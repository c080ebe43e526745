"""One-line rule cases: run a single rule over manifests, the way `pipeline check` runs it."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from pipeline.policy_run import Finding, run_policies

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(rule: ModuleType, verdict: str, name: str) -> list[dict[str, Any]]:
    """The manifests of tests/policies/fixtures/<rule id>/<pass|fail>/<name>.yaml (multi-document)."""
    path = FIXTURES / rule.ID / verdict / f"{name}.yaml"
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def fixtures(rule: ModuleType, verdict: str) -> list[str]:
    """Names of a rule's pass or fail fixtures."""
    return sorted(p.stem for p in (FIXTURES / rule.ID / verdict).glob("*.yaml"))


def check(rule: ModuleType, manifests: list[dict[str, Any]], **options: Any) -> list[Finding]:
    """The rule's findings over manifests, with options as the stage's policy config would set them."""
    config = {rule.ID: {"enforcementLevel": rule.ENFORCEMENT, **options}}
    return run_policies(manifests, config, rules=[rule])


def messages(findings: list[Finding]) -> list[str]:
    return [finding.message() for finding in findings]
