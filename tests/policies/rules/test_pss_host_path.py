from policies.rules import pss_host_path as rule
from tests.policies.helpers import check, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

FAIL = {
    "daemonset": [
        "DaemonSet monitoring/log-collector spec.template.spec.volumes[varlog].hostPath: is set to '/var/log', "
        "must be unset.",
        "DaemonSet monitoring/log-collector spec.template.spec.volumes[containers].hostPath: "
        "is set to '/var/lib/docker/containers', must be unset.",
    ],
    "cronjob": [  # a hostPath with no path
        "CronJob agent-platform-prod/image-prune spec.jobTemplate.spec.template.spec.volumes[runtime].hostPath: "
        "is set, must be unset.",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
