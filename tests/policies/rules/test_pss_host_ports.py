from policies.rules import pss_host_ports as rule
from tests.policies.helpers import check, messages, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

DS = "DaemonSet ingress-nginx/ingress-nginx-controller spec.template.spec.containers[controller]"
STS = "StatefulSet agent-platform-prod/nats spec.template.spec"
FAIL = {
    "daemonset": [  # the metrics port without hostPort passes
        f"{DS}.ports[http].hostPort: is 80, must be 0 or unset.",
        f"{DS}.ports[https].hostPort: is 443, must be 0 or unset.",
    ],
    "statefulset": [  # an unnamed port of a sidecar init container; a hostPort given as a string
        f"{STS}.initContainers[config-reloader].ports[0].hostPort: is 7777, must be 0 or unset.",
        f"{STS}.containers[nats].ports[client].hostPort: is '4222', must be 0 or unset.",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())


def test_pulumi_doubles_compare_as_integers():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "ports": [
                        {"name": "a", "containerPort": 80.0, "hostPort": 0.0},
                        {"name": "b", "containerPort": 81.0, "hostPort": 81.0},
                    ],
                }
            ]
        },
    }
    assert messages(check(rule, [pod])) == ["Pod ns/p spec.containers[c].ports[b].hostPort: is 81, must be 0 or unset."]
