from policies.rules import pss_host_namespaces as rule
from tests.policies.helpers import check, fixture, messages, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

FAIL = {
    "daemonset": [  # each field set true is its own finding; hostIPC: false passes
        "DaemonSet monitoring/node-exporter spec.template.spec.hostNetwork: is true, must be false.",
        "DaemonSet monitoring/node-exporter spec.template.spec.hostPID: is true, must be false.",
    ],
    "pod": ["Pod model-training-prod/shm-bench spec.hostIPC: is true, must be false."],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())


def test_a_cronjob_pod_is_checked_at_its_own_path():
    cronjob = fixture(rule, "pass", "cronjob")
    cronjob[0]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["hostNetwork"] = True
    assert messages(check(rule, cronjob)) == [
        "CronJob agent-platform-prod/postgres-backup-agents spec.jobTemplate.spec.template.spec.hostNetwork: "
        "is true, must be false."
    ]
