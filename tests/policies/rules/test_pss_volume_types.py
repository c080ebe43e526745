from policies.rules import pss_volume_types as rule
from tests.policies.helpers import check, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

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


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
