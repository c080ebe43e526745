"""Reading RBAC: what a Role's rules grant, which role a binding hands out, and to whom.

A rule grants a request when its verbs, apiGroups and resources each hold the request's value
or "*" (resources also "*/<subresource>"), as the API server's RBAC authorizer matches them
(VerbMatches, APIGroupMatches, ResourceMatches in plugin/pkg/auth/authorizer/rbac). Nothing else
is a wildcard: "pods/*" is a literal. A ClusterRole with an aggregationRule gets its rules from
the controller manager, the union of the ClusterRoles its selectors pick, which overwrites the
manifest's own: those are not what it grants, so they are not read (the picked roles are).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kube.workloads import is_list, items, mapping, namespace_of

ALL = "*"
CORE, RBAC_GROUP = "", "rbac.authorization.k8s.io"
ROLE_KINDS = ("Role", "ClusterRole")
BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")
CLUSTER_ADMIN = "cluster-admin"
# Built-in ClusterRoles (not in the manifests) that read every Secret of their scope; `view` excludes Secrets.
SECRET_READING_BUILTINS = ("admin", "edit")
READ_VERBS = ("get", "list", "watch")
# The verbs that let a holder gain permissions nobody granted it, and the resources they act on.
ESCALATION: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "escalate": ((RBAC_GROUP, ("roles", "clusterroles")),),  # write a role with permissions the holder lacks
    "bind": ((RBAC_GROUP, ("roles", "clusterroles")),),  # bind a role with permissions the holder lacks
    "impersonate": (  # act as another user, group or ServiceAccount
        (CORE, ("users", "groups", "serviceaccounts")),
        ("authentication.k8s.io", ("uids", "userextras")),
    ),
}
DEFAULT_ACCOUNT = "default"  # the ServiceAccount a pod naming none runs as
# The groups every ServiceAccount's token authenticates as, besides its own name.
ALL_AUTHENTICATED, ALL_SERVICE_ACCOUNTS = "system:authenticated", "system:serviceaccounts"


def is_rbac(manifest: Mapping[str, Any], kinds: tuple[str, ...]) -> bool:
    """A manifest of one of these RBAC kinds (not a custom resource that happens to be called Role)."""
    api_version = manifest.get("apiVersion")
    return manifest.get("kind") in kinds and isinstance(api_version, str) and api_version.startswith(RBAC_GROUP + "/")


def strings(value: Any) -> tuple[str, ...]:
    """The strings of a list field (anything else skipped)."""
    return tuple(v for v in value if isinstance(v, str)) if is_list(value) else ()


@dataclass(frozen=True)
class PolicyRule:
    """One entry of a role's rules, with its path (rules[0])."""

    path: str
    verbs: tuple[str, ...]
    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    resource_names: tuple[str, ...]

    def grants(self, verb: str, group: str, resource: str) -> bool:
        """Whether the rule allows verb on resource ("name" or "name/subresource") of group."""
        return (
            (ALL in self.verbs or verb in self.verbs)
            and (ALL in self.api_groups or group in self.api_groups)
            and any(_resource_matches(granted, resource) for granted in self.resources)
        )

    def wildcards(self) -> list[tuple[str, tuple[str, ...]]]:
        """(field, values) of each of verbs, resources, apiGroups that holds a wildcard."""
        found = [("verbs", self.verbs)] if ALL in self.verbs else []
        if any(r == ALL or r.startswith("*/") for r in self.resources):
            found.append(("resources", self.resources))
        if ALL in self.api_groups:
            found.append(("apiGroups", self.api_groups))
        return found

    def escalations(self) -> list[tuple[str, str]]:
        """(verb, resource) of every escalate, bind or impersonate the rule allows ("*" resources: each one)."""
        return [
            (verb, resource)
            for verb, targets in ESCALATION.items()
            for group, resources in targets
            for resource in resources
            if (ALL in self.verbs or verb in self.verbs)
            and (ALL in self.api_groups or group in self.api_groups)
            and any(_reaches(granted, resource) for granted in self.resources)
        ]

    def secret_reads(self) -> tuple[str, ...]:
        """The read verbs the rule allows on every Secret (rules naming resourceNames read only those)."""
        if self.resource_names:
            return ()
        return tuple(verb for verb in READ_VERBS if self.grants(verb, CORE, "secrets"))

    def is_superuser(self) -> bool:
        """Every verb on every resource of every group: what cluster-admin grants."""
        return ALL in self.verbs and ALL in self.api_groups and ALL in self.resources


def _resource_matches(granted: str, requested: str) -> bool:
    if granted in (ALL, requested):
        return True
    _, slash, sub = requested.partition("/")
    return bool(slash) and granted == f"*/{sub}"


def _reaches(granted: str, resource: str) -> bool:
    """Whether a rule's resource reaches an escalation target; user extras are requested as userextras/<key>."""
    if resource == "userextras":
        return granted == ALL or granted.startswith(("userextras/", "*/"))
    return granted in (ALL, resource)


def is_aggregated(role: Mapping[str, Any]) -> bool:
    return role.get("kind") == "ClusterRole" and isinstance(role.get("aggregationRule"), Mapping)


def policy_rules(role: Mapping[str, Any]) -> list[PolicyRule]:
    """The rules a Role or ClusterRole grants as written (none for an aggregated ClusterRole)."""
    if is_aggregated(role) or not is_list(role.get("rules")):
        return []
    return [
        PolicyRule(
            f"rules[{index}]",
            strings(rule.get("verbs")),
            strings(rule.get("apiGroups")),
            strings(rule.get("resources")),
            strings(rule.get("resourceNames")),
        )
        for index, rule in enumerate(role["rules"])
        if isinstance(rule, Mapping)
    ]


def _name(manifest: Mapping[str, Any]) -> str:
    name = mapping(manifest.get("metadata")).get("name")
    return name if isinstance(name, str) else ""


def role_key(role: Mapping[str, Any]) -> tuple[str, str, str]:
    """(kind, namespace, name) of a Role or ClusterRole, as role_ref finds it."""
    kind = role.get("kind", "")
    return kind, namespace_of(role) if kind == "Role" else "", _name(role)


def role_ref(binding: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """(kind, namespace, name) of the role a binding grants, None if unusable (a ClusterRoleBinding of a Role)."""
    ref = mapping(binding.get("roleRef"))
    kind, name = ref.get("kind"), ref.get("name")
    if kind not in ROLE_KINDS or not isinstance(name, str) or not name:
        return None
    if kind == "Role":
        return None if binding.get("kind") != "RoleBinding" else ("Role", namespace_of(binding), name)
    return "ClusterRole", "", name


@dataclass(frozen=True)
class Subject:
    """A subject of a binding: kind, name, namespace (a ServiceAccount's; else "") and its path."""

    path: str  # subjects[0]
    kind: str
    name: str
    namespace: str

    @property
    def shown(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"


def subjects(binding: Mapping[str, Any]) -> list[Subject]:
    """The subjects of a binding; a RoleBinding's ServiceAccount without a namespace is in the binding's."""
    own = namespace_of(binding) if binding.get("kind") == "RoleBinding" else ""
    out = []
    for index, subject in enumerate(items(binding.get("subjects"))):
        kind, name, namespace = subject.get("kind"), subject.get("name"), subject.get("namespace")
        if not isinstance(kind, str) or not isinstance(name, str):
            continue
        namespace = (namespace if isinstance(namespace, str) and namespace else own) if kind == "ServiceAccount" else ""
        out.append(Subject(f"subjects[{index}]", kind, name, namespace))
    return out


def service_account_keys(subject: Subject) -> Iterator[tuple[str, str]]:
    """(namespace, name) keys of the ServiceAccounts a subject stands for: ("ns", "*") for all of a namespace,
    ("*", "*") for all (the groups every ServiceAccount's token authenticates as)."""
    if subject.kind == "ServiceAccount" and subject.namespace:
        yield subject.namespace, subject.name
    elif subject.kind == "User" and subject.name.startswith("system:serviceaccount:"):
        namespace, _, name = subject.name.removeprefix("system:serviceaccount:").partition(":")
        if namespace and name:
            yield namespace, name
    elif subject.kind == "Group" and subject.name in (ALL_AUTHENTICATED, ALL_SERVICE_ACCOUNTS):
        yield ALL, ALL
    elif subject.kind == "Group" and subject.name.startswith(ALL_SERVICE_ACCOUNTS + ":"):
        yield subject.name.removeprefix(ALL_SERVICE_ACCOUNTS + ":"), ALL


def service_accounts(manifests: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], Mapping[str, Any]]:
    """The ServiceAccounts among the manifests by (namespace, name)."""
    return {(namespace_of(m), _name(m)): m for m in manifests if m.get("kind") == "ServiceAccount"}


def pod_account(spec: Mapping[str, Any]) -> str:
    """The ServiceAccount a pod runs as: serviceAccountName, the deprecated serviceAccount, else default."""
    for key in ("serviceAccountName", "serviceAccount"):
        value = spec.get(key)
        if isinstance(value, str) and value:
            return value
    return DEFAULT_ACCOUNT


def token_automount_off(spec: Mapping[str, Any], account: Mapping[str, Any] | None) -> bool:
    """Whether a pod gets no automounted token: false on the pod, or unset there and false on its ServiceAccount."""
    pod_value = spec.get("automountServiceAccountToken")
    return pod_value is False or (pod_value is None and mapping(account).get("automountServiceAccountToken") is False)
