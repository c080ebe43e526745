import pytest

from policies.rules import pss_volume_types as rule
from tests.policies.helpers import check, fixture, fixtures, messages
from tests.policies.pss_inputs import as_pulumi, odd_pod_manifests

ALLOWED = "configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret"
STS = "StatefulSet model-training-prod/fine-tuning-service spec.template.spec"
FAIL = {
    "statefulset": [  # the configMap volume beside them passes
        f"{STS}.volumes[datasets]: is of type nfs, must be one of {ALLOWED}.",
        f"{STS}.volumes[docker]: is of type hostPath, must be one of {ALLOWED}.",
    ],
    "cronjob": [
        "CronJob model-training-prod/checkpoint-export spec.jobTemplate.spec.template.spec.volumes[checkpoints]: "
        f"is of type gcePersistentDisk, must be one of {ALLOWED}.",
    ],
}


@pytest.mark.parametrize("name", fixtures(rule, "pass"))
@pytest.mark.parametrize("shape", [list, as_pulumi], ids=["yaml", "pulumi"])
def test_pass_fixture_has_no_finding(name, shape):
    assert check(rule, shape(fixture(rule, "pass", name))) == []


@pytest.mark.parametrize("name", sorted(FAIL))
@pytest.mark.parametrize("shape", [list, as_pulumi], ids=["yaml", "pulumi"])
def test_fail_fixture_names_each_violation(name, shape):
    findings = check(rule, shape(fixture(rule, "fail", name)))
    assert messages(findings) == FAIL[name]
    assert {f.rule_id for f in findings} == {"pss-volume-types"}
    assert all(f.mandatory and f.remediation == rule.REMEDIATION for f in findings)


def test_every_fail_fixture_is_checked():
    assert sorted(FAIL) == fixtures(rule, "fail")


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
