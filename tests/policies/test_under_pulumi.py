"""Every rule judges a manifest the same whether it comes from YAML or from the Pulumi engine.

Under Pulumi, pulumi_policy hands rules the resource's properties decoded from a protobuf
Struct (every number a float) and wrapped in read-only proxies (lists are Sequences, not
lists). Each fixture of every rule is run both ways, with the rule's defaults and with the
prod stage's options, and must give the same findings.
"""

from __future__ import annotations

import json

import pytest
from pulumi_policy.proxy import unknown_checking_proxy

from pipeline.policy_config import stage_options
from pipeline.policy_run import run_policies
from policies.rules import RULES
from tests.policies.helpers import FIXTURES, fixture, fixtures


def as_pulumi_delivers(manifest: dict):
    """The manifest as a rule sees it under Pulumi: numbers as doubles, in pulumi_policy's proxies."""
    floats = json.loads(json.dumps(manifest), parse_int=float)
    return unknown_checking_proxy(floats)


def cases():
    for rule_id, module in RULES.items():
        for verdict in ("pass", "fail"):
            if (FIXTURES / rule_id / verdict).is_dir():
                for name in fixtures(module, verdict):
                    yield pytest.param(module, verdict, name, id=f"{rule_id}/{verdict}/{name}")


@pytest.mark.parametrize("module, verdict, name", list(cases()))
def test_same_findings_as_under_pulumi(module, verdict, name, environments):
    manifests = fixture(module, verdict, name)
    prod = stage_options(environments["prod"])
    configs = [{}, {name: prod[name] for name in module.OPTIONS if name in prod}]
    for options in configs:
        config = {module.ID: {"enforcementLevel": "mandatory", **options}}
        plain = [f.message() for f in run_policies(manifests, config, rules=[module])]
        proxied = [
            f.message() for f in run_policies([as_pulumi_delivers(m) for m in manifests], config, rules=[module])
        ]
        assert proxied == plain


def test_every_rule_has_pass_and_fail_fixtures():
    missing = [
        f"{rule_id}/{verdict}"
        for rule_id in RULES
        for verdict in ("pass", "fail")
        if not list((FIXTURES / rule_id / verdict).glob("*.yaml"))
    ]
    assert missing == []
