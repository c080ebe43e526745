"""The two profiles: the platform's (every rule) and the generic one for foreign manifests."""

from __future__ import annotations

import pytest

from pipeline.policy_config import ENFORCEMENT_KEY, generic_config
from pipeline.policy_run import run_policies
from policies.rules import GENERIC, GENERIC_RULES, RULES, remediation

# Words that only make sense in this repository: a generic fix never sends a user to them.
PLATFORM_WORDS = ("stage file", "environments/", "components/", "our services", "the generator", "services.<name>")

FOREIGN_DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "shop"},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.25", "securityContext": {"privileged": True}}]},
        },
    },
}


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_says_whether_it_holds_for_any_workload(rule_id):
    module = RULES[rule_id]
    assert module.GENERIC in (None, "advisory", "mandatory"), rule_id
    if module.GENERIC:
        fix = module.MANIFEST_REMEDIATION
        assert fix.endswith("."), rule_id
        assert not [word for word in PLATFORM_WORDS if word in fix], (rule_id, fix)
        assert remediation(module, GENERIC) == fix
    else:
        assert not hasattr(module, "MANIFEST_REMEDIATION"), f"{rule_id}: a fix text no profile shows"


def test_the_generic_profile_leaves_the_platform_conventions_out():
    for convention in (
        "image-registry",
        "no-secret-objects",
        "secrets-from-external-secrets",
        "egress-ports",
        "config-rollout",
        "namespace-guardrails",
        "min-replicas",
        "tenant-isolation",
    ):
        assert convention not in GENERIC_RULES, convention
    config = generic_config()
    assert set(config) == set(RULES)
    for rule_id, entry in config.items():
        expected = RULES[rule_id].GENERIC or "disabled"
        assert entry[ENFORCEMENT_KEY] == expected, rule_id


def test_a_foreign_deployment_gets_generic_findings_with_manifest_fixes():
    findings = run_policies([FOREIGN_DEPLOYMENT], generic_config(), profile=GENERIC)
    fired = {f.rule_id for f in findings}
    assert "pss-privileged" in fired and "container-resources" in fired
    assert not fired - set(GENERIC_RULES), fired - set(GENERIC_RULES)
    for finding in findings:
        assert finding.remediation == RULES[finding.rule_id].MANIFEST_REMEDIATION
        assert finding.enforcement == RULES[finding.rule_id].GENERIC


def test_the_platform_profile_keeps_the_stage_file_fixes():
    config = {rule_id: {ENFORCEMENT_KEY: module.ENFORCEMENT} for rule_id, module in RULES.items()}
    findings = run_policies([FOREIGN_DEPLOYMENT], config)
    assert "namespace-guardrails" in {f.rule_id for f in findings}
    assert all(f.remediation == RULES[f.rule_id].REMEDIATION for f in findings)
