from policies.rules import rbac_wildcards as rule
from tests.policies.helpers import check, fixture, yaml_and_pulumi_tests
from tests.policies.rbac_inputs import RBAC, odd_rbac_manifests

VERBS = "must be named verbs, not '*' (which grants every verb, escalate, bind and impersonate included)."
GROUPS = "must be named API groups, not '*' (which grants every group, those added later included)."
FAIL = {
    "cluster-role": [
        f"ClusterRole vendor-operator rules[0].verbs: is ['*'], {VERBS}",
        "ClusterRole vendor-operator rules[0].resources: is ['*'], must be named resources, not '*' "
        "(which grants every resource, Secrets and custom resources installed later included).",
        f"ClusterRole vendor-operator rules[0].apiGroups: is ['*'], {GROUPS}",
        # rules[0] names everything; "*/scale" is the scale subresource of every resource.
        "ClusterRole autoscaler rules[1].resources: is ['*/scale'], must be named resources, not '*/<subresource>' "
        "(which grants that subresource of every resource, custom resources installed later included).",
    ],
    "role": [  # resourceNames do not make "*" verbs narrow
        f"Role shop/config-owner rules[0].verbs: is ['*'], {VERBS}",
        f"Role shop/config-owner rules[1].apiGroups: is ['*'], {GROUPS}",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    paths = {(f.resource, f.path) for f in check(rule, odd_rbac_manifests())}
    assert ("ClusterRole odd", "rules[3].apiGroups") in paths  # a wildcard among values of the wrong type
    assert not [resource for resource, _ in paths if "aggregated" in resource]


def test_an_aggregated_cluster_role_is_judged_by_the_roles_it_aggregates():
    (aggregated,) = [m for m in fixture(rule, "pass", "roles") if "aggregationRule" in m]
    picked = {
        "apiVersion": RBAC,
        "kind": "ClusterRole",
        "metadata": {"name": "vendor-monitoring", "labels": {"rbac.example.com/aggregate-to-monitoring": "true"}},
        "rules": [{"apiGroups": ["monitoring.coreos.com"], "resources": ["*"], "verbs": ["get"]}],
    }
    assert [(f.resource, f.path) for f in check(rule, [aggregated, picked])] == [
        ("ClusterRole vendor-monitoring", "rules[0].resources")
    ]
