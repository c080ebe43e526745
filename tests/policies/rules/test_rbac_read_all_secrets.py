from policies.rules import rbac_read_all_secrets as rule
from tests.policies.helpers import check, fixture, yaml_and_pulumi_tests
from tests.policies.rbac_inputs import RBAC, odd_rbac_manifests

MUST = (
    "must be limited to named Secrets (resourceNames) or to namespaces (RoleBindings), not every Secret of the cluster."
)
FAIL = {
    "ingress-controller": [
        "ClusterRole ingress-nginx rules[0]: is list, watch on every Secret, bound cluster-wide by "
        f"ClusterRoleBinding ingress-nginx, {MUST}",
        # "*" resources of the core group include secrets; both bindings are named.
        "ClusterRole backup-agent rules[0]: is get on every Secret, bound cluster-wide by ClusterRoleBinding "
        f"backup-agent, ClusterRoleBinding backup-agent-restore, {MUST}",
    ],
    "builtin-and-aggregated": [
        "ClusterRole vendor-view rules[1]: is get on every Secret, aggregated into the built-in view "
        f"(meant to exclude Secrets), {MUST}",
        "ClusterRoleBinding deployers-edit roleRef.name: is 'edit', the built-in ClusterRole that reads and "
        f"writes every Secret, granted cluster-wide, {MUST}",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    assert check(rule, odd_rbac_manifests()) == []  # nothing there is bound cluster-wide


def test_a_cluster_role_granted_by_a_role_binding_only_is_namespaced():
    role, binding = fixture(rule, "fail", "ingress-controller")[:2]
    namespaced = {**binding, "kind": "RoleBinding", "metadata": {"name": "ingress-nginx", "namespace": "shop"}}
    assert check(rule, [role, namespaced]) == []
    assert len(check(rule, [role, namespaced, binding])) == 1


def test_a_built_in_role_defined_in_the_manifests_is_judged_by_its_rules():
    binding = fixture(rule, "fail", "builtin-and-aggregated")[0]
    edit = {
        "apiVersion": RBAC,
        "kind": "ClusterRole",
        "metadata": {"name": "edit"},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
    }
    assert check(rule, [binding, edit]) == []
