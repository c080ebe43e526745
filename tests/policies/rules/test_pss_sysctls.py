from policies.rules import pss_sysctls as rule
from tests.policies.helpers import check, messages, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

STS = "StatefulSet agent-platform-prod/redis spec.template.spec.securityContext.sysctls"
FAIL = {
    "statefulset": [  # kernel.shm_rmid_forced between them is safe
        f"{STS}: is setting 'net.core.somaxconn', must be setting only safe sysctls.",
        f"{STS}: is setting 'vm.overcommit_memory', must be setting only safe sysctls.",
    ],
    "pod": [
        "Pod agent-platform-staging/mq-bench spec.securityContext.sysctls: is setting 'kernel.msgmax', "
        "must be setting only safe sysctls.",
    ],
    "namespace-v1.26": [  # safe from v1.29 and v1.27 (pass/namespace-v1.29); ip_local_port_range always was
        "Deployment chat-gateway-legacy/websocket-edge spec.template.spec.securityContext.sysctls: "
        "is setting 'net.ipv4.tcp_keepalive_time', must be setting only safe sysctls (Pod Security v1.26).",
        "Deployment chat-gateway-legacy/websocket-edge spec.template.spec.securityContext.sysctls: "
        "is setting 'net.ipv4.ip_local_reserved_ports', must be setting only safe sysctls (Pod Security v1.26).",
    ],
    "namespace-v1.31": [  # tcp_rmem is safe from v1.32 (pass/namespace-latest); tcp_fin_timeout from v1.29
        "Pod bulk-transfer/uploader spec.securityContext.sysctls: is setting 'net.ipv4.tcp_rmem', "
        "must be setting only safe sysctls (Pod Security v1.31).",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())


def test_every_safe_sysctl_of_the_standard_passes():
    sysctls = [{"name": name, "value": "1"} for name in rule.SAFE_SYSCTLS]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"securityContext": {"sysctls": sysctls}, "containers": [{"name": "c"}]},
    }
    assert len(rule.SAFE_SYSCTLS) == 12 and check(rule, [pod]) == []


def test_a_sysctl_without_a_name_is_reported():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"securityContext": {"sysctls": [{"value": "1"}]}, "containers": [{"name": "c"}]},
    }
    assert messages(check(rule, [pod])) == [
        "Pod ns/p spec.securityContext.sysctls: is setting a sysctl with no name, must be setting only safe sysctls."
    ]
