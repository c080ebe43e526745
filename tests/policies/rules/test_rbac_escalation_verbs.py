from policies.rules import rbac_escalation_verbs as rule
from tests.policies.helpers import check, yaml_and_pulumi_tests
from tests.policies.rbac_inputs import RBAC, odd_rbac_manifests

MUST = (
    "must be without escalate, bind and impersonate (escalate writes roles beyond the holder's own permissions, "
    "bind grants any role to anyone, impersonate acts as another user, group or ServiceAccount)."
)
CR = "ClusterRole rbac-manager"
FAIL = {
    "cluster-role": [
        f"{CR} rules[0].verbs: is ['bind', 'escalate'], granting escalate and bind on clusterroles, {MUST}",
        f"{CR} rules[1].verbs: is ['impersonate'], granting impersonate on users, groups, {MUST}",
        f"{CR} rules[2].verbs: is ['*'], granting escalate and bind on roles, {MUST}",  # "*" covers both
        f"{CR} rules[3].verbs: is ['bind'], granting bind on clusterroles named view, {MUST}",  # for a reviewer
    ],
    "role": [
        "Role shop/debugger rules[0].verbs: is ['get', 'impersonate'], granting impersonate on users, groups, "
        f"serviceaccounts, uids, userextras, {MUST}",
        f"Role shop/debugger rules[1].verbs: is ['impersonate'], granting impersonate on userextras, {MUST}",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    assert check(rule, odd_rbac_manifests()) == []  # no rule there names a verb on a target, as lists of strings


def test_everything_on_everything_is_every_escalation():
    role = {
        "apiVersion": RBAC,
        "kind": "ClusterRole",
        "metadata": {"name": "vendor-operator"},
        "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
    }
    (finding,) = check(rule, [role])
    assert finding.observed == (
        "['*'], granting escalate and bind on roles, clusterroles; "
        "impersonate on users, groups, serviceaccounts, uids, userextras"
    )
