from policies.rules import service_account_token as rule
from tests.policies.helpers import check, fixture, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

FAIL = {
    "deployment": [
        # Unset on pod and ServiceAccount; the RoleBinding names a tool-service of another namespace.
        "Deployment agent-platform-prod/tool-service spec.template.spec.automountServiceAccountToken: "
        "is not set (so on: no ServiceAccount tool-service in the manifests sets it false), "
        "must be false, since no RoleBinding or ClusterRoleBinding names ServiceAccount tool-service.",
        # The pod's true wins over its ServiceAccount's false; a ClusterRoleBinding subject needs a namespace.
        "Deployment agent-platform-prod/cost-service spec.template.spec.automountServiceAccountToken: is true, "
        "must be false, since no RoleBinding or ClusterRoleBinding names ServiceAccount cost-service.",
        # No serviceAccountName: the "default" ServiceAccount, not among the manifests.
        "CronJob agent-platform-prod/report spec.jobTemplate.spec.template.spec.automountServiceAccountToken: "
        "is not set (so on: no ServiceAccount default in the manifests sets it false), "
        "must be false, since no RoleBinding or ClusterRoleBinding names ServiceAccount default.",
    ],
    "pod": [  # a Group subject is no ServiceAccount subject
        "Pod agent-platform-prod/agent-service-7d9f spec.automountServiceAccountToken: "
        "is not set (so on: no ServiceAccount agent-service in the manifests sets it false), "
        "must be false, since no RoleBinding or ClusterRoleBinding names ServiceAccount agent-service.",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())


def test_the_default_service_account_turned_off_covers_pods_without_a_service_account_name():
    manifests = fixture(rule, "fail", "deployment")[4:5]  # the CronJob
    account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "automountServiceAccountToken": False,
        "metadata": {"name": "default", "namespace": "agent-platform-prod"},
    }
    assert [m["kind"] for m in manifests] == ["CronJob"]
    assert check(rule, [*manifests, account]) == []


def test_a_service_account_of_another_namespace_does_not_turn_the_token_off():
    manifests = fixture(rule, "fail", "deployment")[4:5]
    account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "automountServiceAccountToken": False,
        "metadata": {"name": "default", "namespace": "model-training-prod"},
    }
    assert len(check(rule, [*manifests, account])) == 1
