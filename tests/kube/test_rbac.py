"""kube/rbac.py: rules matched as the API server's RBAC authorizer matches them, bindings and their subjects."""

from __future__ import annotations

import pytest

from kube.rbac import (
    PolicyRule,
    is_rbac,
    policy_rules,
    role_key,
    role_ref,
    service_account_keys,
    subjects,
)

RBAC = "rbac.authorization.k8s.io/v1"


def rule(verbs=(), groups=(), resources=(), names=()) -> PolicyRule:
    return PolicyRule("rules[0]", tuple(verbs), tuple(groups), tuple(resources), tuple(names))


@pytest.mark.parametrize(
    ("granted", "asked", "allowed"),
    [
        (rule(["get"], [""], ["pods"]), ("get", "", "pods"), True),
        (rule(["*"], [""], ["pods"]), ("delete", "", "pods"), True),
        (rule(["get"], ["*"], ["pods"]), ("get", "metrics.k8s.io", "pods"), True),
        (rule(["get"], [""], ["*"]), ("get", "", "secrets"), True),
        (rule(["get"], [""], ["*/log"]), ("get", "", "pods/log"), True),  # that subresource of every resource
        (rule(["get"], [""], ["*/log"]), ("get", "", "pods"), False),
        (rule(["get"], [""], ["pods/*"]), ("get", "", "pods/exec"), False),  # no wildcard: a literal
        (rule(["get"], [""], ["pods"]), ("get", "", "pods/log"), False),
        (rule(["get"], ["apps"], ["pods"]), ("get", "", "pods"), False),
        (rule(["get"], [""], ["pods"]), ("list", "", "pods"), False),
    ],
)
def test_a_rule_grants_what_the_authorizer_allows(granted, asked, allowed):
    assert granted.grants(*asked) is allowed


def test_wildcards_are_star_and_star_slash_subresource():
    assert rule(["*"], ["*"], ["*"]).wildcards() == [("verbs", ("*",)), ("resources", ("*",)), ("apiGroups", ("*",))]
    assert rule(["get"], ["apps"], ["*/scale"]).wildcards() == [("resources", ("*/scale",))]
    assert rule(["get"], ["apps"], ["deployments/*"]).wildcards() == []


def test_escalations_are_escalate_and_bind_on_roles_and_impersonate_on_identities():
    assert rule(["bind"], ["rbac.authorization.k8s.io"], ["clusterroles"]).escalations() == [("bind", "clusterroles")]
    assert rule(["bind"], ["rbac.authorization.k8s.io"], ["rolebindings"]).escalations() == []
    assert rule(["impersonate"], [""], ["serviceaccounts"]).escalations() == [("impersonate", "serviceaccounts")]
    assert rule(["impersonate"], ["rbac.authorization.k8s.io"], ["users"]).escalations() == []  # users are core
    extras = rule(["impersonate"], ["authentication.k8s.io"], ["userextras/scopes"])
    assert extras.escalations() == [("impersonate", "userextras")]
    assert len(rule(["*"], ["*"], ["*"]).escalations()) == 9


def test_secret_reads_leave_out_rules_limited_to_named_secrets():
    assert rule(["get", "create"], [""], ["secrets"]).secret_reads() == ("get",)
    assert rule(["*"], ["*"], ["*"]).secret_reads() == ("get", "list", "watch")
    assert rule(["get"], [""], ["secrets"], ["tls"]).secret_reads() == ()
    assert rule(["get"], ["apps"], ["secrets"]).secret_reads() == ()


def test_an_aggregated_cluster_role_has_no_rules_of_its_own():
    role = {
        "apiVersion": RBAC,
        "kind": "ClusterRole",
        "metadata": {"name": "monitoring"},
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "true"}}]},
        "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
    }
    assert policy_rules(role) == []
    assert [r.path for r in policy_rules({**role, "aggregationRule": None})] == ["rules[0]"]


def test_only_the_rbac_group_makes_a_role():
    assert is_rbac({"apiVersion": RBAC, "kind": "Role"}, ("Role",))
    assert not is_rbac({"apiVersion": "iam.example.com/v1", "kind": "Role"}, ("Role",))


def test_a_binding_finds_its_role_by_kind_namespace_and_name():
    role = {"apiVersion": RBAC, "kind": "Role", "metadata": {"name": "r", "namespace": "shop"}}
    binding = {
        "kind": "RoleBinding",
        "metadata": {"name": "b", "namespace": "shop"},
        "roleRef": {"kind": "Role", "name": "r"},
    }
    assert role_ref(binding) == role_key(role) == ("Role", "shop", "r")
    cluster = {**binding, "kind": "ClusterRoleBinding", "metadata": {"name": "b"}}
    assert role_ref(cluster) is None  # a ClusterRoleBinding cannot grant a Role
    to_cluster_role = {**binding, "roleRef": {"kind": "ClusterRole", "name": "view"}}
    assert role_ref(to_cluster_role) == ("ClusterRole", "", "view")


def test_subjects_stand_for_service_accounts_by_name_and_by_group():
    binding = {
        "kind": "RoleBinding",
        "metadata": {"name": "b", "namespace": "shop"},
        "subjects": [
            {"kind": "ServiceAccount", "name": "web"},
            {"kind": "User", "name": "system:serviceaccount:ci:runner"},
            {"kind": "Group", "name": "system:serviceaccounts:vendor"},
            {"kind": "Group", "name": "system:serviceaccounts"},
            {"kind": "Group", "name": "system:authenticated"},
            {"kind": "User", "name": "alice"},
        ],
    }
    found = subjects(binding)
    assert [s.path for s in found] == [f"subjects[{i}]" for i in range(6)]
    assert [list(service_account_keys(s)) for s in found] == [
        [("shop", "web")],
        [("ci", "runner")],
        [("vendor", "*")],
        [("*", "*")],
        [("*", "*")],
        [],
    ]
