from policies.rules import rbac_cluster_admin as rule
from tests.policies.helpers import check, fixture, yaml_and_pulumi_tests
from tests.policies.rbac_inputs import odd_rbac_manifests

MUST = "must be a role with only the permissions its subjects need."
FAIL = {
    "cluster-admin": [
        "ClusterRoleBinding vendor-operator-admin roleRef.name: is 'cluster-admin', granting everything "
        f"cluster-wide to ServiceAccount shop/vendor-operator, {MUST}",
        # system:masters beside another subject is no bootstrap binding; system:authenticated is everyone.
        "ClusterRoleBinding everyone-admin roleRef.name: is 'cluster-admin', granting everything cluster-wide to "
        f"Group system:masters, Group system:authenticated, {MUST}",
        # A RoleBinding's ServiceAccount without a namespace is in the binding's.
        "RoleBinding shop/ci-admin roleRef.name: is 'cluster-admin', granting everything in namespace shop "
        f"(its Secrets and RBAC included) to ServiceAccount shop/ci-deployer, {MUST}",
    ],
    "equivalent": [
        "ClusterRoleBinding vendor-operator roleRef.name: is 'vendor-operator' (a ClusterRole granting '*' verbs "
        "on '*' resources of '*' API groups, as cluster-admin does), granting everything cluster-wide to "
        "ServiceAccount vendor/vendor-operator, ServiceAccount vendor/vendor-webhook, User alice@example.com "
        f"and 1 more, {MUST}",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    assert [f.resource for f in check(rule, odd_rbac_manifests())] == ["ClusterRoleBinding odd-users"]


def test_a_binding_without_subjects_is_reported_before_someone_adds_one():
    (binding, *_) = fixture(rule, "fail", "cluster-admin")
    (finding,) = check(rule, [{**binding, "subjects": []}])
    assert finding.observed == "'cluster-admin', granting everything cluster-wide to no subject yet"


def test_only_the_group_system_masters_is_left_alone():
    (binding, *_) = fixture(rule, "pass", "bindings")
    assert check(rule, [binding]) == []
    for name in ("system:authenticated", "system:unauthenticated", "system:serviceaccounts", "system:nodes"):
        subjects = [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": name}]
        assert len(check(rule, [{**binding, "subjects": subjects}])) == 1, name
