"""The stack files: one per stage, pointing at the stage's cluster, agreeing with the stage file."""

from __future__ import annotations

import runpy

import pulumi
import pytest
import yaml
from pulumi.runtime.mocks import MockMonitor

from tests.conftest import REPOSITORY, STAGES
from tests.stacks.test_program import EchoMocks


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_has_a_stack_file_for_its_cluster(stage, environments):
    stack = yaml.safe_load((REPOSITORY / "stacks" / f"Pulumi.{stage}.yaml").read_text())
    assert stack["secretsprovider"] == "passphrase"
    assert stack["config"]["kubernetes:context"] == f"agentflow-{stage}"
    assert stack["config"]["agent-platform:namespacePrefix"] == environments[stage].platform.namespace_prefix
    assert stack["config"]["agent-platform:environments"] == "environments"


def test_a_stack_pointed_at_the_wrong_namespace_prefix_deploys_nothing():
    mocks = EchoMocks()
    monitor = MockMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project="agent-platform", stack="dev", preview=False, monitor=monitor)
    pulumi.runtime.set_all_config({"agent-platform:namespacePrefix": "someone-else"})
    try:
        with pytest.raises(pulumi.RunError, match="expects namespace prefix 'someone-else'"):
            runpy.run_path(str(REPOSITORY / "stacks" / "__main__.py"), run_name="__main__")
    finally:
        pulumi.runtime.set_all_config({})
    assert [urn for urn in monitor.resources if "kubernetes:" in urn] == []
