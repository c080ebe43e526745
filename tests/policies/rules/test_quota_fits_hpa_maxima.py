import pytest

from policies.rules import quota_fits_hpa_maxima as rule
from tests.policies.helpers import check, fixture, messages, pass_test
from tests.policies.odd_manifests import ODD

test_pass = pass_test(rule)


def test_fail_agent_platform_at_its_hpa_maxima():
    findings = check(rule, fixture(rule, "fail", "agent-platform"))
    quota = "ResourceQuota agent-platform-prod/quota spec.hard"
    assert messages(findings) == [
        f"{quota}.limits.cpu: is 120, must be at least 128 (the HPA maxima: task-service 20 x 2, tool-service 20 x 2, "
        f"agent-service 20 x 1, ...).",
        f"{quota}.memory: is 40Gi, must be at least 47.75Gi (the HPA maxima: agent-service 20 x 1Gi, "
        f"task-service 20 x 512Mi, tool-service 20 x 512Mi, ...).",
        f"{quota}.pods: is 70, must be at least 76 (the HPA maxima: agent-service 20, task-service 20, tool-service 20, ...).",
    ]
    assert {f.rule_id for f in findings} == {"quota-fits-hpa-maxima"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_fail_training_jobs_count_init_containers_and_gpus():
    assert messages(check(rule, fixture(rule, "fail", "training"))) == [
        "ResourceQuota model-training-prod/quota spec.hard.requests.cpu: is 8, must be at least 12 "
        "(the HPA maxima: fine-tune-llama 4 x 3).",
        "ResourceQuota model-training-prod/quota spec.hard.requests.nvidia.com/gpu: is 2, must be at least 4 "
        "(the HPA maxima: fine-tune-llama 4 x 1).",
    ]


@pytest.mark.parametrize(
    "key, bound",
    [
        ("pods", ("pods", "pods")),
        ("cpu", ("requests", "cpu")),
        ("memory", ("requests", "memory")),
        ("limits.memory", ("limits", "memory")),
        ("requests.nvidia.com/gpu", ("requests", "nvidia.com/gpu")),
        ("requests.storage", None),
        ("services", None),
        ("count/jobs.batch", None),
        ("standard.storageclass.storage.k8s.io/requests.storage", None),
    ],
)
def test_quota_keys_about_pods(key, bound):
    assert rule.counted(key) == bound


def test_odd_manifests_do_not_crash():
    assert [f.observed for f in check(rule, ODD)] == ["'lots', not a quantity"]
