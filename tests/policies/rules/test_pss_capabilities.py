from policies.rules import pss_capabilities as rule
from tests.policies.helpers import check, messages, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

DEPLOYMENT = "Deployment agent-platform-prod/tool-service spec.template.spec"
ONLY = "must be adding nothing but NET_BIND_SERVICE."
FAIL = {
    "deployment": [  # drop unset and drop without ALL; each added capability named, NET_BIND_SERVICE passes
        f"{DEPLOYMENT}.initContainers[migrate].securityContext.capabilities.drop: is not set, "
        "must be a list that includes ALL.",
        f"{DEPLOYMENT}.containers[tool].securityContext.capabilities.drop: is ['NET_RAW'], "
        "must be a list that includes ALL.",
        f"{DEPLOYMENT}.containers[tool].securityContext.capabilities.add: is adding 'SYS_ADMIN', {ONLY}",
        f"{DEPLOYMENT}.containers[tool].securityContext.capabilities.add: is adding 'NET_RAW', {ONLY}",
    ],
    "daemonset": [
        "DaemonSet kube-system/cni-agent spec.template.spec.containers[agent].securityContext.capabilities.add: "
        f"is adding 'NET_ADMIN', {ONLY}",
    ],
    "pod": [
        "Pod agent-platform-prod/agent-service-7d9f spec.ephemeralContainers[debugger].securityContext.capabilities"
        f".add: is adding 'SYS_PTRACE', {ONLY}",
    ],
    "windows-pod": [  # no drop needed on Windows; CHOWN is in the baseline set, SYS_ADMIN is not
        "Pod agent-platform-prod/report-renderer spec.containers[renderer].securityContext.capabilities.add: "
        "is adding 'SYS_ADMIN', must be adding only capabilities of the PSS baseline set.",
    ],
    "baseline-namespace": [  # a baseline namespace: no drop needed, CHOWN is in the baseline set, NET_ADMIN is not
        "Deployment legacy-web/httpd spec.template.spec.containers[httpd].securityContext.capabilities.add: "
        "is adding 'NET_ADMIN', must be adding only capabilities of the PSS baseline set.",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())


def test_a_single_capability_instead_of_a_list_is_still_named():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"containers": [{"name": "c", "securityContext": {"capabilities": {"drop": "ALL", "add": "NET_RAW"}}}]},
    }
    assert messages(check(rule, [pod])) == [
        "Pod ns/p spec.containers[c].securityContext.capabilities.drop: is 'ALL', must be a list that includes ALL.",
        f"Pod ns/p spec.containers[c].securityContext.capabilities.add: is adding 'NET_RAW', {ONLY}",
    ]
