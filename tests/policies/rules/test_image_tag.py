import pytest

from policies.rules import image_tag as rule
from tests.policies.helpers import check, fixture, messages, pass_test
from tests.policies.odd_manifests import ODD

EXPECTED = "must be tagged with a version other than latest (name:1.4.2) or pinned by digest (name@sha256:...)."
DIGEST = "707a54d1a09fa674fc62653f968b4ce4a2bd12853296eb31d4017e40904ab8be"


test_pass = pass_test(rule)


def test_fail_names_every_untagged_or_latest_image():
    findings = check(rule, fixture(rule, "fail", "workloads"))
    deployment = "Deployment agent-platform-prod/agent-service spec.template.spec"
    assert messages(findings) == [
        f"{deployment}.initContainers[migrate].image: is 'registry.agentflow.example.com/agentflow/agent-service:latest', "
        f"tagged latest, {EXPECTED}",
        f"{deployment}.containers[agent].image: is 'registry.agentflow.example.com/agentflow/agent-service', "
        f"no tag (so latest), {EXPECTED}",
        f"{deployment}.containers[proxy].image: is 'envoyproxy/envoy:latest@sha256:{DIGEST}', tagged latest, {EXPECTED}",
        f"{deployment}.containers[broken].image: is 'Registry/Agent Service:1', not an image reference, {EXPECTED}",
        f"Pod agent-platform-prod/debug spec.ephemeralContainers[shell].image: is 'busybox', no tag (so latest), {EXPECTED}",
    ]
    assert {f.rule_id for f in findings} == {"image-tag"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


@pytest.mark.parametrize(
    "image, problem",
    [
        ("postgres:16.4", None),
        (f"postgres@sha256:{DIGEST}", None),
        ("postgres:LATEST", "'postgres:LATEST', tagged latest"),
        ("localhost:5000/app", "'localhost:5000/app', no tag (so latest)"),
        ("", "not set"),
        (None, "not set"),
        (7, "7, not an image reference"),
    ],
)
def test_problem(image, problem):
    assert rule.problem(image) == problem


def test_odd_manifests_do_not_crash():
    assert [f.path for f in check(rule, ODD)] == [
        "spec.template.spec.containers[0].image",
        "spec.template.spec.containers[c].image",
    ]
