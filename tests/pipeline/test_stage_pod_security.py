"""A stage's Pod Security version: its namespaces' labels and the policy config say it (issue 14, item 8).

Under `pulumi preview` a workload's rule cannot see its Namespace, so the stage's policy config carries the
stage's namespaces with their level and version; a stage that pins an older version is judged at it.
"""

from __future__ import annotations

from kube.pod_security import namespace_policies
from model.loader import load_environment
from pipeline.policy_config import policy_config
from pipeline.policy_run import run_policies
from policies.pod_security import NAMESPACES_OPTION, VERSION_OPTION
from policies.rules import pss_sysctls
from stacks.platform import manifests as stage_manifests
from tests.model.helpers import Line, edit, load_error, only_problem

VERSION_LINE = Line("  pod_security_version: ")
KEEPALIVE = "net.ipv4.tcp_keepalive_time"  # safe from v1.29 on


def sysctl_pod(namespace: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "edge", "namespace": namespace},
        "spec": {"securityContext": {"sysctls": [{"name": KEEPALIVE, "value": "1"}]}, "containers": [{"name": "c"}]},
    }


def pinned(environments_copy, version: str):
    edit(environments_copy, "defaults.yaml", VERSION_LINE, f"  pod_security_version: {version}\n")
    return load_environment(environments_copy, "prod")


def test_the_stage_version_labels_every_namespace_of_the_stage(environments_copy):
    env = pinned(environments_copy, "v1.28")
    declared = namespace_policies(stage_manifests(env))
    assert env.namespace_name in declared and env.training_namespace_name in declared
    assert {entry["version"] for entry in declared.values()} == {"v1.28"}
    assert {entry["level"] for entry in declared.values()} == {env.platform.pod_security}


def test_the_policy_config_carries_the_stage_version_and_its_namespaces(environments_copy):
    env = pinned(environments_copy, "v1.28")
    entry = policy_config(env)[pss_sysctls.ID]
    assert entry[VERSION_OPTION] == "v1.28"
    assert entry[NAMESPACES_OPTION] == namespace_policies(stage_manifests(env))


def test_a_workload_is_judged_at_its_stage_version_without_seeing_its_namespace(environments_copy):
    # One resource at a time, as CrossGuard sends it: the Namespace is not in the input.
    env = pinned(environments_copy, "v1.28")
    pod = sysctl_pod(env.namespace_name)
    findings = run_policies([pod], policy_config(env, [pss_sysctls]), env.stage, rules=[pss_sysctls])
    assert [f.message() for f in findings] == [
        f"Pod {env.namespace_name}/edge spec.securityContext.sysctls: is setting {KEEPALIVE!r}, must be setting "
        "only safe sysctls (Pod Security v1.28)."
    ]
    latest = pinned(environments_copy, "latest")
    assert run_policies([pod], policy_config(latest, [pss_sysctls]), latest.stage, rules=[pss_sysctls]) == []


def test_a_version_that_is_no_pod_security_version_is_refused_at_its_line(environments_copy):
    edited = edit(environments_copy, "defaults.yaml", VERSION_LINE, "  pod_security_version: v2.28\n")
    problem = only_problem(load_error(environments_copy, "prod"))
    assert problem.key_path == "platform.pod_security_version"
    assert (problem.location.line, problem.location.column) == edited.at("pod_security_version")
    assert "v1.<minor>" in problem.hint
