"""One-line rule cases: run a single rule over manifests, the way `pipeline check` runs it."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from pprint import pformat
from types import ModuleType
from typing import Any

import pytest
import yaml

from pipeline.policy_run import Finding, run_policies
from tests.policies.pss_inputs import as_pulumi

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


# Generated fixture tests. A rule's test module binds what these return at module level, e.g.
#     test_pass, test_fail = pass_and_fail_tests(rule, FAIL)
# so pytest collects them under those names (test_pass[<fixture>], test_fail[<fixture>]). The assertions live
# here, where pytest does not rewrite them: each says what differed itself.

Test = Callable[..., None]


def _assert_equal(got: Any, want: Any, what: str) -> None:
    if got != want:
        diff = "\n".join(difflib.ndiff(pformat(want).splitlines(), pformat(got).splitlines()))
        raise AssertionError(f"{what}: got != expected (- expected, + got)\n{diff}")


def _assert_fail_findings(rule: ModuleType, name: str, findings: list[Finding], expected: list[str]) -> None:
    _assert_equal(messages(findings), expected, f"{rule.ID} fail/{name} messages")
    _assert_equal({f.rule_id for f in findings}, {rule.ID}, f"{rule.ID} fail/{name} rule ids")


def pass_test(rule: ModuleType, **options: Any) -> Test:
    """test_pass[<fixture>]: every pass fixture of the rule has no finding (checked with options)."""

    @pytest.mark.parametrize("name", fixtures(rule, "pass"))
    def test_pass(name: str) -> None:
        _assert_equal(check(rule, fixture(rule, "pass", name), **options), [], f"{rule.ID} pass/{name} findings")

    return test_pass


def pass_and_fail_tests(
    rule: ModuleType, expected: dict[str, list[str]], *, mandatory: bool = False, **options: Any
) -> tuple[Test, Test]:
    """test_pass[<fixture>] as pass_test; test_fail[<fixture>]: each fail fixture has exactly the messages
    expected[<fixture>] (a fixture without an entry fails), all of the rule (and all mandatory, if asked)."""

    @pytest.mark.parametrize("name", fixtures(rule, "fail"))
    def test_fail(name: str) -> None:
        findings = check(rule, fixture(rule, "fail", name), **options)
        assert name in expected, f"{rule.ID} fail/{name}: no expected messages for this fixture"
        _assert_fail_findings(rule, name, findings, expected[name])
        if mandatory:
            assert all(f.mandatory for f in findings), f"{rule.ID} fail/{name}: a finding is not mandatory"

    return pass_test(rule, **options), test_fail


_SHAPES = pytest.mark.parametrize("shape", [list, as_pulumi], ids=["yaml", "pulumi"])


def yaml_and_pulumi_tests(rule: ModuleType, expected: dict[str, list[str]]) -> tuple[Test, Test, Test]:
    """The fixture tests of a pod-security-style rule, each fixture read both as YAML and as `pulumi preview`
    hands it over (test ids [yaml-<fixture>], [pulumi-<fixture>]):
    test_pass_fixture_has_no_finding, test_fail_fixture_names_each_violation (exactly expected[<fixture>], all of
    the rule, mandatory, with the rule's remediation) and test_every_fail_fixture_is_checked (expected names
    exactly the fail fixtures)."""

    @pytest.mark.parametrize("name", fixtures(rule, "pass"))
    @_SHAPES
    def test_pass_fixture_has_no_finding(name: str, shape: Callable[[list[dict[str, Any]]], list[Any]]) -> None:
        findings = check(rule, shape(fixture(rule, "pass", name)))
        _assert_equal(findings, [], f"{rule.ID} pass/{name} findings")

    @pytest.mark.parametrize("name", sorted(expected))
    @_SHAPES
    def test_fail_fixture_names_each_violation(name: str, shape: Callable[[list[dict[str, Any]]], list[Any]]) -> None:
        findings = check(rule, shape(fixture(rule, "fail", name)))
        _assert_fail_findings(rule, name, findings, expected[name])
        assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings), (
            f"{rule.ID} fail/{name}: a finding is not mandatory or lacks the rule's remediation"
        )

    def test_every_fail_fixture_is_checked() -> None:
        _assert_equal(sorted(expected), fixtures(rule, "fail"), f"{rule.ID} expected fail fixtures")

    return test_pass_fixture_has_no_finding, test_fail_fixture_names_each_violation, test_every_fail_fixture_is_checked
