"""Inputs the RBAC rules must read without crashing: roles and bindings of unsound shape (the schema check
reports them), an aggregated ClusterRole, and workloads whose ServiceAccount is bound to them."""

from __future__ import annotations

from typing import Any

RBAC = "rbac.authorization.k8s.io/v1"
META = {"name": "odd", "namespace": "shop"}


def odd_rbac_manifests() -> list[dict[str, Any]]:
    odd_rules = [
        None,
        "get pods",
        {"apiGroups": "*", "resources": "*", "verbs": "*"},  # strings, not lists
        {"apiGroups": [None, 3, "*"], "resources": [{"name": "secrets"}, "secrets"], "verbs": [["*"], "get"]},
        {"verbs": ["*"]},  # no apiGroups or resources: grants nothing
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": "all"},
    ]
    return [
        {"apiVersion": RBAC, "kind": "ClusterRole", "metadata": {"name": "odd"}, "rules": odd_rules},
        {"apiVersion": RBAC, "kind": "ClusterRole", "metadata": {"name": "odd-none"}, "rules": None},
        {"apiVersion": RBAC, "kind": "ClusterRole", "metadata": {"name": "odd-map"}, "rules": {"verbs": ["*"]}},
        {
            "apiVersion": RBAC,
            "kind": "ClusterRole",
            "metadata": {"name": "aggregated", "labels": ["x"]},
            "aggregationRule": {"clusterRoleSelectors": "all"},
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],  # the controller's, not judged
        },
        {"apiVersion": RBAC, "kind": "ClusterRole", "metadata": {"name": "odd-aggregation"}, "aggregationRule": []},
        {"apiVersion": RBAC, "kind": "Role", "metadata": META, "rules": odd_rules},
        {"apiVersion": RBAC, "kind": "RoleBinding", "metadata": META, "roleRef": ["ClusterRole", "cluster-admin"]},
        {
            "apiVersion": RBAC,
            "kind": "RoleBinding",
            "metadata": {**META, "name": "odd-subjects"},
            "roleRef": {"kind": "ClusterRole", "name": "odd"},
            "subjects": [None, "default", {"kind": "ServiceAccount", "name": ["odd"]}, {"kind": 3, "name": "x"}],
        },
        {
            "apiVersion": RBAC,
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "odd"},
            "roleRef": {"kind": "Role", "name": "odd"},  # a ClusterRoleBinding cannot grant a Role
            "subjects": {"kind": "ServiceAccount", "name": "odd"},
        },
        {
            "apiVersion": RBAC,
            "kind": "ClusterRoleBinding",
            "metadata": {"name": "odd-users"},
            "roleRef": {"kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [
                {"kind": "User", "name": "system:serviceaccount:"},
                {"kind": "User", "name": "system:serviceaccount:shop"},
                {"kind": "ServiceAccount", "name": "no-namespace"},
                {"kind": "Group", "name": "system:serviceaccounts:"},
            ],
        },
        {"apiVersion": RBAC, "kind": "RoleBinding", "metadata": META, "roleRef": {"kind": "Role", "name": None}},
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": META,
            "spec": {
                "template": {
                    "metadata": {"labels": {"app": "odd"}},
                    "spec": {
                        "serviceAccountName": "odd",
                        "automountServiceAccountToken": "yes",
                        "volumes": [None, {"name": "t", "projected": {"sources": [None, {"serviceAccountToken": 1}]}}],
                        "containers": [{"name": "a"}],
                    },
                }
            },
        },
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": META, "automountServiceAccountToken": "false"},
        {"apiVersion": "v1", "kind": "Service", "metadata": META, "spec": {"selector": ["app"], "ports": "80"}},
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {**META, "name": "odd-ports"},
            "spec": {"selector": {"app": "odd"}, "ports": [None, {"targetPort": {"x": 1}}, {"port": 80.0}]},
        },
    ]
