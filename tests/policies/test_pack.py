"""The pack's shape: every rule module keeps the contract, builds into pulumi_policy policies
whose validate signatures are what pulumi_policy calls, and never crashes on odd manifests."""

from __future__ import annotations

import inspect
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from kube.workloads import POD_SPEC_PATHS
from pipeline.policy_run import run_policies
from policies.pack import build_policies
from policies.rules import RULES, UnknownRule, rule

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def test_the_pack_builds_one_policy_per_rule_with_unique_names():
    policies = build_policies()
    assert [p.name for p in policies] == list(RULES)
    assert len({p.name for p in policies}) == len(policies)


@pytest.mark.parametrize("module", list(RULES.values()), ids=list(RULES))
def test_rule_module_keeps_the_contract(module):
    assert KEBAB.match(module.ID) and module.ID != "all"
    assert module.__name__.rsplit(".", 1)[1] == module.ID.replace("-", "_"), "a rule is found by its id"
    assert module.DESCRIPTION.endswith(".") and "\n" not in module.DESCRIPTION
    assert module.REMEDIATION and module.REMEDIATION.endswith(".")
    assert module.ENFORCEMENT in ("advisory", "mandatory", "disabled")
    assert module.SCOPE in ("resource", "stack")
    for name, spec in module.OPTIONS.items():
        assert {"type", "default", "description"} <= set(spec), f"option {name} needs type, default, description"
    doc = module.__doc__ or ""
    assert doc.startswith(f"{module.ID}: ") and "PASS" in doc and "FAIL" in doc


@pytest.mark.parametrize("policy", build_policies(), ids=list(RULES))
def test_policy_kind_and_validate_signature_match_pulumi_policy(policy):
    module = RULES[policy.name]
    expected = ResourceValidationPolicy if module.SCOPE == "resource" else StackValidationPolicy
    assert type(policy) is expected
    parameters = list(inspect.signature(module.validate).parameters)
    assert len(parameters) == 2, "pulumi_policy calls validate(args, report_violation)"
    assert policy.remediation_steps == module.REMEDIATION
    assert policy.enforcement_level.value == module.ENFORCEMENT
    if module.OPTIONS:
        assert set(policy.config_schema.properties) == set(module.OPTIONS)


def test_an_unknown_rule_id_is_a_clear_error():
    with pytest.raises(UnknownRule, match="unknown policy rule 'no-such-rule'"):
        rule("no-such-rule")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 100)
    | st.floats(allow_nan=False, allow_infinity=False, width=16)
    | st.sampled_from(["", "0", "latest", "ALL", "*", "0 2 * * *", "500m", "1Gi", "sleep", "true", "a:b"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "spec",
                    "template",
                    "jobTemplate",
                    "containers",
                    "initContainers",
                    "securityContext",
                    "resources",
                    "limits",
                    "requests",
                    "cpu",
                    "memory",
                    "image",
                    "name",
                    "env",
                    "value",
                    "ports",
                    "replicas",
                    "selector",
                    "matchLabels",
                    "volumes",
                    "hostPath",
                    "schedule",
                    "metadata",
                    "labels",
                    "ingress",
                    "egress",
                    "podSelector",
                    "minAvailable",
                    "data",
                    "hard",
                    "scaleTargetRef",
                    "readinessProbe",
                    "periodSeconds",
                    "capabilities",
                    "add",
                    "drop",
                    "tls",
                    "rules",
                    "hosts",
                    "verbs",
                    "apiGroups",
                    "resourceNames",
                    "roleRef",
                    "livenessProbe",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@st.composite
def odd_manifests(draw):
    kind = draw(
        st.sampled_from(
            sorted(POD_SPEC_PATHS)
            + [
                "NetworkPolicy",
                "PodDisruptionBudget",
                "ConfigMap",
                "Ingress",
                "HorizontalPodAutoscaler",
                "ResourceQuota",
                "LimitRange",
                "Secret",
                "ServiceAccount",
                "RoleBinding",
                "Role",
                "ClusterRole",
                "ClusterRoleBinding",
                "Service",
                "Namespace",
            ]
        )
    )
    api = {
        "Deployment": "apps/v1",
        "StatefulSet": "apps/v1",
        "DaemonSet": "apps/v1",
        "ReplicaSet": "apps/v1",
        "Job": "batch/v1",
        "CronJob": "batch/v1",
        "NetworkPolicy": "networking.k8s.io/v1",
        "Ingress": "networking.k8s.io/v1",
        "PodDisruptionBudget": "policy/v1",
        "HorizontalPodAutoscaler": "autoscaling/v2",
        "RoleBinding": "rbac.authorization.k8s.io/v1",
        "Role": "rbac.authorization.k8s.io/v1",
        "ClusterRole": "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding": "rbac.authorization.k8s.io/v1",
    }.get(kind, "v1")
    body = draw(
        st.dictionaries(
            st.sampled_from(
                [
                    "spec",
                    "data",
                    "template",
                    "subjects",
                    "automountServiceAccountToken",
                    "rules",
                    "roleRef",
                    "aggregationRule",
                ]
            ),
            json_values,
            max_size=3,
        )
    )
    meta = {
        "name": draw(st.sampled_from(["a", "b-backup", "postgres-backup-x"])),
        "namespace": "ns",
        "labels": draw(
            st.dictionaries(
                st.sampled_from(["app", "app.kubernetes.io/component"]), st.sampled_from(["x", "backup"]), max_size=2
            )
        ),
    }
    return {"apiVersion": api, "kind": kind, "metadata": meta, **body}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(odd_manifests(), min_size=1, max_size=4, unique_by=lambda m: (m["kind"], m["metadata"]["name"])))
def test_no_rule_crashes_on_odd_manifests(manifests):
    config = {rule_id: {"enforcementLevel": "mandatory"} for rule_id in RULES}
    findings = run_policies(manifests, config)
    assert all(f.rule_id in RULES for f in findings)
