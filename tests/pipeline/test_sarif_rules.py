"""SARIF rules as GitHub code scanning reads them: the catalog's anchor, tags, security-severity."""

from __future__ import annotations

import json
import re

import jsonschema

from model.loader import load_environments
from pipeline.check import check_stage
from pipeline.reports import sarif
from policies.rules import RULES, THEME_OF
from tests.conftest import ENVIRONMENTS, REPOSITORY
from tests.pipeline.test_check_cli import sarif_schema

GITHUB = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/platform", "GITHUB_SHA": "a" * 40}


def driver_rules(catalog: str | None) -> dict[str, dict]:
    checks = [check_stage(env) for env in load_environments(ENVIRONMENTS, ["prod"])]
    log = json.loads(sarif.render(checks, catalog))
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    return {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}


def test_in_actions_every_rule_links_its_entry_in_the_catalog_of_the_analysed_commit(tmp_path):
    catalog = sarif.catalog_url(GITHUB, tmp_path)
    assert catalog == f"https://github.com/acme/platform/blob/{'a' * 40}/docs/policies.md"
    rules = driver_rules(catalog)
    anchors = set(re.findall(r"^## ([a-z0-9-]+)$", (REPOSITORY / "docs" / "policies.md").read_text(), re.M))
    for rule_id in RULES:
        assert rules[rule_id]["helpUri"] == f"{catalog}#{rule_id}"
        assert rule_id in anchors, f"docs/policies.md has no section for {rule_id}"


def test_outside_actions_the_catalog_is_the_checkouts_or_none(tmp_path):
    assert sarif.catalog_url({}, REPOSITORY) == (REPOSITORY / "docs" / "policies.md").resolve().as_uri()
    assert sarif.catalog_url({"GITHUB_SHA": "a" * 40}, tmp_path) is None  # an installed package has no docs/
    assert all("helpUri" not in rule for rule_id, rule in driver_rules(None).items() if rule_id in RULES)


def test_security_rules_carry_a_security_severity_and_the_others_a_problem_severity():
    rules = driver_rules(None)
    securities = 0
    for rule_id in RULES:
        properties = rules[rule_id]["properties"]
        assert properties["tags"][0] == "kubernetes" and set(THEME_OF[rule_id].tags) <= set(properties["tags"])
        if "security" in properties["tags"]:
            securities += 1
            assert 0.0 < float(properties["security-severity"]) <= 10.0
            assert "problem.severity" not in properties
        else:
            assert "security-severity" not in properties  # GitHub ranks only security alerts by it
            assert properties["problem.severity"] in ("error", "warning")
    assert 0 < securities < len(RULES)
    # the Pod Security Standards' baseline outranks the stricter-than-the-standards extras
    assert float(rules["pss-privileged"]["properties"]["security-severity"]) > float(
        rules["read-only-root-filesystem"]["properties"]["security-severity"]
    )
    assert rules["pss-privileged"]["properties"]["tags"] == ["kubernetes", "security", "pod-security"]
    assert "security" not in rules["min-replicas"]["properties"]["tags"]
