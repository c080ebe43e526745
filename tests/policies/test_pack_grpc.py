"""The policy pack as the Pulumi CLI runs it: `policies/__main__.py` serves the analyzer over gRPC.

The test starts the pack in a subprocess, reads the port it prints, and calls it with Pulumi's
own AnalyzerStub: GetAnalyzerInfo, Configure (with policies/config/prod.json), Analyze and
AnalyzeStack, with properties encoded as the engine encodes them (protobuf Struct: every number
a double).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from kube.identity import pulumi_name, type_token
from pipeline.policy_run import urn_of
from policies.rules import RULES
from tests.conftest import REPOSITORY

MANDATORY = analyzer_pb2.EnforcementLevel.Value("MANDATORY")


@contextmanager
def serving(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """A pack started as the Pulumi CLI starts it: read the port it prints, then call it over gRPC."""
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            assert process.stdout is not None
            port = process.stdout.readline().strip()
            stderr.seek(0)
            assert port.isdigit(), f"{command} printed {port!r} instead of its port; stderr: {stderr.read()[-3000:]}"
            channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            grpc.channel_ready_future(channel).result(timeout=30)
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
            channel.close()
        finally:
            process.kill()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    with serving([sys.executable, str(REPOSITORY / "policies" / "__main__.py")], REPOSITORY) as stub:
        yield stub


def struct(data: dict) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(data)
    return message


def configure(analyzer, stage: str) -> None:
    config = json.loads((REPOSITORY / "policies" / "config" / f"{stage}.json").read_text())
    levels = {"advisory": "ADVISORY", "mandatory": "MANDATORY", "disabled": "DISABLED"}
    request = analyzer_pb2.ConfigureAnalyzerRequest(
        policyConfig={
            rule_id: analyzer_pb2.PolicyConfig(
                enforcementLevel=analyzer_pb2.EnforcementLevel.Value(levels[entry["enforcementLevel"]]),
                properties=struct({k: v for k, v in entry.items() if k != "enforcementLevel"}),
            )
            for rule_id, entry in config.items()
        }
    )
    analyzer.Configure(request)


def analyze(analyzer, manifest: dict, stage: str = "prod") -> list:
    request = analyzer_pb2.AnalyzeRequest(
        type=type_token(manifest["apiVersion"], manifest["kind"]),
        properties=struct(manifest),
        urn=urn_of(manifest, stage),
        name=pulumi_name(manifest),
    )
    return list(analyzer.Analyze(request).diagnostics)


def analyze_stack(analyzer, manifests: list[dict], stage: str = "prod") -> list:
    resources = [
        analyzer_pb2.AnalyzerResource(
            type=type_token(m["apiVersion"], m["kind"]), properties=struct(m), urn=urn_of(m, stage), name=pulumi_name(m)
        )
        for m in manifests
    ]
    return list(analyzer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=resources)).diagnostics)


def test_the_pack_describes_every_rule_once(analyzer):
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "agent-platform"
    names = [policy.name for policy in info.policies]
    assert sorted(names) == sorted(RULES) and len(names) == len(set(names))
    for policy in info.policies:
        rule = RULES[policy.name]
        assert policy.description == rule.DESCRIPTION
        assert policy.remediation_steps == rule.REMEDIATION
        assert policy.enforcementLevel == MANDATORY if rule.ENFORCEMENT == "mandatory" else True


def test_rendered_prod_passes_every_resource_rule(analyzer, rendered):
    configure(analyzer, "prod")
    diagnostics = [d for m in rendered["prod"].manifests for d in analyze(analyzer, m)]
    assert [d.message for d in diagnostics] == []


def test_rendered_prod_passes_every_stack_rule(analyzer, rendered):
    configure(analyzer, "prod")
    assert [d.message for d in analyze_stack(analyzer, list(rendered["prod"].manifests))] == []


def test_a_daily_backup_breaks_the_prod_rpo_under_pulumi(analyzer, rendered):
    configure(analyzer, "prod")
    cron = next(m for m in rendered["prod"].manifests if m["kind"] == "CronJob")
    daily = {**cron, "spec": {**cron["spec"], "schedule": "0 2 * * *"}}
    (diagnostic,) = analyze(analyzer, daily)
    assert diagnostic.policyName == "backup-rpo"
    assert diagnostic.enforcementLevel == MANDATORY
    rule = RULES["backup-rpo"]
    # pulumi_policy puts the policy's description above the message.
    assert diagnostic.message == (
        f"{rule.DESCRIPTION}\nCronJob agent-platform-prod/{cron['metadata']['name']} spec.schedule: is '0 2 * * *', "
        f"up to 24 h between runs, must be at most 1 h between runs (the RPO). Fix: {rule.REMEDIATION}"
    )
    assert diagnostic.urn == urn_of(daily, "prod")


def test_a_pdb_equal_to_the_replicas_blocks_drains_under_pulumi(analyzer, rendered):
    configure(analyzer, "prod")
    manifests = [
        m
        if m["kind"] != "PodDisruptionBudget" or m["metadata"]["name"] != "user-service"
        else {**m, "spec": {**m["spec"], "minAvailable": 2}}
        for m in rendered["prod"].manifests
    ]
    (diagnostic,) = analyze_stack(analyzer, manifests)
    assert diagnostic.policyName == "pdb-coverage"
    assert "PodDisruptionBudget agent-platform-prod/user-service spec.minAvailable: is 2" in diagnostic.message


def test_dev_config_does_not_require_digests(analyzer, rendered):
    configure(analyzer, "dev")
    deployment = next(m for m in rendered["dev"].manifests if m["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    unpinned = json.loads(json.dumps(deployment))
    unpinned["spec"]["template"]["spec"]["containers"][0]["image"] = container["image"].split("@")[0]
    assert "image-digest" not in [d.policyName for d in analyze(analyzer, unpinned, "dev")]
    configure(analyzer, "prod")
    assert "image-digest" in [d.policyName for d in analyze(analyzer, unpinned)]
