from policies.rules import pdb_coverage as rule
from tests.policies.helpers import check, fixture, messages


def test_covered_workloads_pass():
    assert check(rule, fixture(rule, "pass", "covered")) == []


def test_a_multi_replica_workload_without_a_pdb_fails():
    assert messages(check(rule, fixture(rule, "fail", "uncovered"))) == [
        "Deployment agent-platform-prod/agent-service: is running 3 pods with no PodDisruptionBudget, "
        "must be covered by a PodDisruptionBudget selecting its pods.",
    ]


def test_a_pdb_that_blocks_every_drain_fails():
    assert messages(check(rule, fixture(rule, "fail", "blocks-drains"))) == [
        "PodDisruptionBudget agent-platform-prod/user-service spec.minAvailable: is 2 for Deployment "
        "agent-platform-prod/user-service, which runs as few as 2 pods, must be below 2 (minAvailable) or at least 1 "
        "(maxUnavailable), so a node can drain.",
        "PodDisruptionBudget agent-platform-prod/task-service spec.minAvailable: is 100% for Deployment "
        "agent-platform-prod/task-service, which runs as few as 3 pods, must be below 3 (minAvailable) or at least 1 "
        "(maxUnavailable), so a node can drain.",
        "PodDisruptionBudget agent-platform-prod/tool-service spec.maxUnavailable: is 0 for Deployment "
        "agent-platform-prod/tool-service, which runs as few as 3 pods, must be below 3 (minAvailable) or at least 1 "
        "(maxUnavailable), so a node can drain.",
    ]
