"""The Pod Security rules judge each namespace at its own level and version (issue 14, item 8).

Where the level and version come from (a Namespace of the input, the namespace_pod_security option that
carries the stage's namespaces under Pulumi, the pod_security_version option), each control that changed
between versions judged both ways, every rule leaving privileged namespaces alone, and the same over gRPC.
"""

from __future__ import annotations

import pytest
from pulumi.runtime.proto import analyzer_pb2

from kube.pod_security import CHANGES, KNOWN_VERSIONS, NEWEST, OLDEST, allowed_values, version_text
from kube.workloads import namespace_of
from pipeline.docs import policy_catalog
from pipeline.policy_run import run_policies
from policies.pod_security import NAMESPACES_OPTION, OPTIONS, VERSION_OPTION
from policies.rules import RULES, pss_run_as_user, pss_sysctls
from tests.policies.helpers import FIXTURES, check, fixture, fixtures, messages
from tests.policies.test_pack_grpc import analyze, analyzer, configure, struct  # noqa: F401 - analyzer is a fixture

POD_SECURITY_RULES = [module for module in RULES.values() if hasattr(module, "LEVEL")]
KEEPALIVE = "Pod web/edge spec.securityContext.sysctls: is setting 'net.ipv4.tcp_keepalive_time', must be"


def namespace(name: str, **labels: str) -> dict:
    keys = {"level": "pod-security.kubernetes.io/enforce", "version": "pod-security.kubernetes.io/enforce-version"}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {keys[key]: value for key, value in labels.items()}},
    }


def sysctl_pod(name: str, namespace_name: str = "web") -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "edge", "namespace": namespace_name},
        "spec": {"securityContext": {"sysctls": [{"name": name, "value": "1"}]}, "containers": [{"name": "c"}]},
    }


def test_every_pod_security_rule_takes_the_two_options_and_names_its_level():
    assert len(POD_SECURITY_RULES) == 16
    for module in POD_SECURITY_RULES:
        assert module.OPTIONS is OPTIONS and module.LEVEL in ("baseline", "restricted"), module.ID
    assert OPTIONS[VERSION_OPTION]["default"] == "latest" and OPTIONS[NAMESPACES_OPTION]["default"] == {}


def test_the_version_option_judges_namespaces_that_declare_none():
    pod = sysctl_pod("net.ipv4.tcp_keepalive_time")
    assert messages(check(pss_sysctls, [pod], pod_security_version="v1.28")) == [
        f"{KEEPALIVE} setting only safe sysctls (Pod Security v1.28)."
    ]
    assert check(pss_sysctls, [pod], pod_security_version="v1.29") == []
    assert check(pss_sysctls, [pod]) == []  # latest by default
    assert check(pss_sysctls, [pod], pod_security_version="banana") == []  # judged as latest
    assert check(pss_sysctls, [namespace("web", level="baseline"), pod], pod_security_version="v1.29") == []


def test_a_namespace_label_wins_over_the_version_option():
    pod = sysctl_pod("net.ipv4.tcp_keepalive_time")
    assert check(pss_sysctls, [namespace("web", version="v1.29"), pod], pod_security_version="v1.26") == []
    assert messages(check(pss_sysctls, [namespace("web", version="v1.26"), pod], pod_security_version="latest")) == [
        f"{KEEPALIVE} setting only safe sysctls (Pod Security v1.26)."
    ]


def test_the_namespace_option_carries_namespaces_the_input_does_not_declare():
    pod = sysctl_pod("net.ipv4.tcp_keepalive_time")
    declared = {"web": {"level": "restricted", "version": "v1.26"}}
    assert messages(check(pss_sysctls, [pod], namespace_pod_security=declared)) == [
        f"{KEEPALIVE} setting only safe sysctls (Pod Security v1.26)."
    ]
    assert check(pss_sysctls, [pod], namespace_pod_security={"web": {"level": "privileged"}}) == []
    # A Namespace object of the input is what gets applied: it wins over the configured entry.
    assert check(pss_sysctls, [namespace("web", version="v1.32"), pod], namespace_pod_security=declared) == []
    assert check(pss_sysctls, [namespace("other", version="v1.26"), pod]) == []  # another namespace's labels


def test_a_pod_without_a_namespace_is_judged_by_the_default_namespace():
    pod = sysctl_pod("net.ipv4.tcp_keepalive_time")
    del pod["metadata"]["namespace"]
    assert len(check(pss_sysctls, [namespace("default", version="v1.26"), pod])) == 1
    assert check(pss_sysctls, [namespace("default", level="privileged"), pod]) == []


ADDED = [(value, change.version) for change in CHANGES if change.control == "sysctls" for value in change.values]


@pytest.mark.parametrize("version", KNOWN_VERSIONS, ids=version_text)
def test_each_sysctl_is_safe_from_the_version_that_added_it(version):
    manifests = [namespace("web", version=version_text(version))] + [
        {**sysctl_pod(name), "metadata": {"name": f"edge-{index}", "namespace": "web"}}
        for index, (name, _) in enumerate(ADDED)
    ]
    refused = {f.observed for f in check(pss_sysctls, manifests)}
    assert refused == {f"setting '{name}'" for name, since in ADDED if since > version}
    assert set(allowed_values("sysctls", version)) == {name for name, since in ADDED if since <= version}


def test_a_user_namespace_pod_is_judged_both_ways_across_v1_35():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "build"},
        "spec": {"hostUsers": False, "containers": [{"name": "c", "securityContext": {"runAsUser": 0}}]},
    }
    for version in KNOWN_VERSIONS:
        findings = check(pss_run_as_user, [namespace("build", version=version_text(version)), pod])
        assert bool(findings) == (version < (1, 35)), version_text(version)


def _privileged(manifests: list[dict]) -> list[dict]:
    names = {namespace_of(m) or "default" for m in manifests if m.get("kind") != "Namespace"}
    others = [m for m in manifests if m.get("kind") != "Namespace"]
    return [namespace(name, level="privileged") for name in sorted(names)] + others


@pytest.mark.parametrize(
    "module, name",
    [(module, name) for module in POD_SECURITY_RULES for name in fixtures(module, "fail")],
    ids=lambda value: getattr(value, "ID", value),
)
def test_no_pod_security_rule_judges_a_privileged_namespace(module, name):
    assert check(module, _privileged(fixture(module, "fail", name))) == []


RESTRICTED_ONLY = [module for module in POD_SECURITY_RULES if module.LEVEL == "restricted"]


@pytest.mark.parametrize("module", RESTRICTED_ONLY, ids=lambda m: m.ID)
def test_restricted_rules_leave_baseline_namespaces_alone(module):
    for name in fixtures(module, "fail"):
        manifests = [m for m in fixture(module, "fail", name) if m.get("kind") != "Namespace"]
        names = sorted({namespace_of(m) or "default" for m in manifests})
        assert check(module, [namespace(n, level="baseline") for n in names] + manifests) == [], name


def test_every_pod_security_fixture_directory_exists():
    assert all((FIXTURES / module.ID).is_dir() for module in POD_SECURITY_RULES)


def test_an_invalid_label_gives_a_mandatory_finding_and_a_latest_verdict():
    manifests = [namespace("web", level="baseline", version="banana"), sysctl_pod("net.ipv4.tcp_wmem")]
    config = {rule_id: {"enforcementLevel": module.ENFORCEMENT} for rule_id, module in RULES.items()}
    findings = [f for f in run_policies(manifests, config) if f.rule_id.startswith("pss-")]
    assert [(f.rule_id, f.enforcement, f.message()) for f in findings] == [
        (
            "pss-namespace-labels",
            "mandatory",
            "Namespace web metadata.labels[pod-security.kubernetes.io/enforce-version]: is 'banana', "
            f"must be latest or v1.<minor> (e.g. {version_text(NEWEST)}).",
        ),
        (
            "pss-namespace-policy",
            "advisory",
            "Namespace web metadata.labels[pod-security.kubernetes.io/enforce]: is 'baseline', must be restricted "
            "for the restricted controls to judge its pods (only the baseline controls do).",
        ),
    ]


def test_the_catalog_says_which_version_changed_what(environments):
    catalog = policy_catalog(list(environments.values()))
    section = catalog[catalog.index("## Pod Security per Kubernetes version") :]
    assert f"The pack knows {version_text(OLDEST)} to {version_text(NEWEST)}" in section
    for change in CHANGES:
        assert f"| {version_text(change.version)} | `{change.control}` |" in section, change
        assert change.what in section


def test_the_pack_judges_the_namespace_of_its_config_over_grpc(analyzer):  # noqa: F811 - the fixture
    """Under `pulumi preview` the stage's config carries the namespaces: a v1.34 pin refuses what latest allows."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "buildkitd", "namespace": "build"},
        "spec": {"hostUsers": False, "containers": [{"name": "c", "securityContext": {"runAsUser": 0}}]},
    }

    def run_as_user_findings(properties: dict) -> list[str]:
        analyzer.Configure(
            analyzer_pb2.ConfigureAnalyzerRequest(
                policyConfig={
                    "pss-run-as-user": analyzer_pb2.PolicyConfig(
                        enforcementLevel=analyzer_pb2.EnforcementLevel.Value("MANDATORY"), properties=struct(properties)
                    )
                }
            )
        )
        return [d.message for d in analyze(analyzer, pod) if d.policyName == "pss-run-as-user"]

    assert run_as_user_findings({}) == []
    (message,) = run_as_user_findings({NAMESPACES_OPTION: {"build": {"version": "v1.34"}}})
    assert "Pod build/buildkitd spec.containers[c].securityContext.runAsUser: is 0, must be a non-zero UID " in message
    assert "(Pod Security v1.34)." in message
    (message,) = run_as_user_findings({VERSION_OPTION: "v1.33"})
    assert "(Pod Security v1.33)." in message
    assert run_as_user_findings({NAMESPACES_OPTION: {"build": {"level": "baseline"}}}) == []
    configure(analyzer, "prod")
