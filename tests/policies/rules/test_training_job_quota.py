import pytest

from policies.rules import training_job_quota as rule
from tests.policies.helpers import check, fixture, messages, pass_test
from tests.policies.odd_manifests import ODD

PROD = {"training_namespace": "model-training-prod", "concurrent_jobs": 10, "gpus_per_job": 1}


test_pass = pass_test(rule, **PROD)


def test_fail_quota_admits_other_than_the_concurrent_jobs():
    findings = check(rule, fixture(rule, "fail", "training"), **PROD)
    quota = "ResourceQuota model-training-prod/training-jobs"
    gpus = "must be exactly 10 (training.concurrent_jobs 10 x training.job.gpus 1)."
    assert messages(findings) == [
        f"{quota} spec.hard.pods: is 20, must be exactly 10 (training.concurrent_jobs).",
        f"{quota} spec.hard.requests.nvidia.com/gpu: is not set (unlimited), {gpus}",
        f"{quota}-high spec.hard.requests.nvidia.com/gpu: is 20, {gpus}",
    ]
    assert {f.rule_id for f in findings} == {"training-job-quota"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_fail_without_a_priority_class_quota():
    findings = check(rule, fixture(rule, "fail", "no-scoped-quota"), **PROD)
    assert messages(findings) == [
        "Namespace model-training-prod: is without a ResourceQuota scoped to a PriorityClass, must be covered by one "
        "(scopeSelector PriorityClass In [the jobs' class]) with hard pods 10 and requests.nvidia.com/gpu 10."
    ]
    assert findings[0].resource_id is not None


def test_options_decide_the_bounds():
    assert len(check(rule, fixture(rule, "pass", "training"), **{**PROD, "concurrent_jobs": 4})) == 2
    assert [f.expected for f in check(rule, fixture(rule, "pass", "training"), **{**PROD, "gpus_per_job": 2})] == [
        "exactly 20 (training.concurrent_jobs 10 x training.job.gpus 2)"
    ]
    assert (
        check(rule, fixture(rule, "pass", "training"), **{**PROD, "concurrent_jobs": 10.0, "gpus_per_job": 1.0}) == []
    )


@pytest.mark.parametrize("options", [{}, {**PROD, "training_namespace": ""}, {**PROD, "training_namespace": "absent"}])
def test_nothing_to_check_without_the_training_namespace(options):
    assert check(rule, fixture(rule, "fail", "no-scoped-quota"), **options) == []


def test_odd_manifests_do_not_crash():
    assert [f.resource for f in check(rule, ODD, training_namespace="ns")] == ["Namespace ns"]
