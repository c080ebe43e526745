import pytest

from policies.rules import image_registry as rule
from tests.policies.helpers import check, fixture, messages, pass_test
from tests.policies.odd_manifests import ODD

REGISTRIES = ["registry.agentflow.example.com/agentflow/", "docker.io/library/postgres"]
EXPECTED = (
    "must be pulled from an allowed registry (policy.registries): "
    "registry.agentflow.example.com/agentflow/, docker.io/library/postgres."
)


test_pass = pass_test(rule, registries=REGISTRIES)


def test_fail_names_every_image_from_elsewhere():
    findings = check(rule, fixture(rule, "fail", "workloads"), registries=REGISTRIES)
    spec = "Deployment agent-platform-prod/agent-service spec.template.spec"
    assert messages(findings) == [
        f"{spec}.initContainers[migrate].image: is 'ghcr.io/someone/agent-service:1.4.2', {EXPECTED}",
        f"{spec}.containers[db].image: is 'postgres-evil:16', that is docker.io/library/postgres-evil, {EXPECTED}",
        f"{spec}.containers[cache].image: is 'bitnami/redis:7.2', that is docker.io/bitnami/redis, {EXPECTED}",
        f"{spec}.containers[proxy].image: is 'registry.agentflow.example.com.evil.io/agentflow/envoy:1.31', {EXPECTED}",
        f"{spec}.containers[odd].image: is 'not a reference', not an image reference, {EXPECTED}",
    ]
    assert {f.rule_id for f in findings} == {"image-registry"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_no_registries_checks_nothing():
    assert check(rule, fixture(rule, "fail", "workloads"), registries=[]) == []
    assert check(rule, fixture(rule, "fail", "workloads")) == []  # the default


@pytest.mark.parametrize(
    "image, name",
    [
        ("postgres", "docker.io/library/postgres"),
        ("bitnami/redis:7", "docker.io/bitnami/redis"),
        ("index.docker.io/library/postgres:16", "docker.io/library/postgres"),
        ("Registry.Example.com/team/app:1", "registry.example.com/team/app"),
        ("localhost:5000/app", "localhost:5000/app"),
    ],
)
def test_normalised_name(image, name):
    assert rule.normalised_name(image) == name


@pytest.mark.parametrize(
    "name, allowed",
    [
        ("docker.io/library/postgres", True),
        ("docker.io/library/postgres/sub", True),
        ("docker.io/library/postgresql", False),
        ("registry.agentflow.example.com/agentflow/x", True),
        ("registry.agentflow.example.com/agentflowx/x", False),
    ],
)
def test_prefixes_match_whole_components(name, allowed):
    assert rule.allowed(name, REGISTRIES) is allowed


def test_odd_manifests_do_not_crash():
    assert [f.observed for f in check(rule, ODD, registries=REGISTRIES)] == ["not set", "7, not an image reference"]
