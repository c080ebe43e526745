from policies.rules import rbac_privileged_token as rule
from tests.policies.helpers import check, fixture, yaml_and_pulumi_tests
from tests.policies.rbac_inputs import RBAC, odd_rbac_manifests

NOT_SET = "spec.template.spec.automountServiceAccountToken: is not set (so on: "
FALSE = "must be false (or the role narrowed), since ServiceAccount"
FAIL = {
    "direct": [
        f"Deployment shop/vendor-operator {NOT_SET}no ServiceAccount vendor-operator in the manifests sets it "
        f"false), {FALSE} vendor-operator holds ClusterRole cluster-admin through ClusterRoleBinding "
        "vendor-operator-admin, which grants everything.",
        # The pod's true wins over its ServiceAccount's false; rules[0] of the Role is harmless.
        "CronJob shop/rbac-sync spec.jobTemplate.spec.template.spec.automountServiceAccountToken: is true, "
        f"{FALSE} rbac-sync holds Role rbac-sync through RoleBinding shop/rbac-sync, which grants escalate, bind "
        "(rules[1]).",
        # automount false, yet a projected volume mounts the token.
        "Pod shop/agent spec.volumes[api-token].projected.sources[1].serviceAccountToken: is a projected token, "
        "must be absent (or the role narrowed), since ServiceAccount agent holds ClusterRole vendor-everything "
        "through RoleBinding shop/agent, which grants wildcards and escalate, bind, impersonate (rules[0]).",
    ],
    "groups": [
        f"StatefulSet shop/cache {NOT_SET}no ServiceAccount default in the manifests sets it false), {FALSE} "
        "default holds ClusterRole cluster-admin through RoleBinding shop/all-accounts-admin, which grants "
        "everything.",
        f"DaemonSet ci/runner {NOT_SET}ServiceAccount runner sets it true), {FALSE} runner holds ClusterRole edit "
        "through ClusterRoleBinding ci-runner-edit, which grants read of every Secret.",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    assert check(rule, odd_rbac_manifests()) == []


def test_every_service_account_is_in_system_authenticated():
    workloads = [m for m in fixture(rule, "pass", "narrow-roles") if m["kind"] == "Deployment"]
    binding = {
        "apiVersion": RBAC,
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "everyone-edit"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:authenticated"}],
    }
    assert check(rule, workloads) == []
    (finding,) = check(rule, [*workloads, binding])
    assert finding.resource == "Deployment shop/gateway"
    assert finding.expected.endswith("through ClusterRoleBinding everyone-edit, which grants read of every Secret")


def test_every_grant_is_counted_and_the_first_named():
    manifests = fixture(rule, "fail", "direct")[:2]
    second = {**manifests[0], "metadata": {"name": "vendor-operator-admin-2"}}
    (finding,) = check(rule, [*manifests, second])
    assert finding.expected.endswith("vendor-operator-admin, which grants everything (and 1 more grants)")
