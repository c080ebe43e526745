from policies.rules import pss_host_probes as rule
from tests.policies.helpers import check, messages, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

STS = "StatefulSet agent-platform-prod/agent-service spec.template.spec.containers[agent]"
FAIL = {
    "statefulset": [  # httpGet and tcpSocket, probes and a lifecycle hook; the exec postStart passes
        f"{STS}.livenessProbe.httpGet.host: is '169.254.169.254', must be unset (the pod's own IP).",
        f"{STS}.readinessProbe.tcpSocket.host: is 'postgres.data.svc.cluster.local', must be unset (the pod's own IP).",
        f"{STS}.lifecycle.preStop.httpGet.host: is '10.0.0.5', must be unset (the pod's own IP).",
    ],
    "job": [  # a sidecar init container; localhost is the node's, not the pod's
        "Job model-training-prod/fine-tune-run-7 spec.template.spec.initContainers[metrics-proxy]"
        ".startupProbe.tcpSocket.host: is 'localhost', must be unset (the pod's own IP).",
    ],
    "namespace-v1.34": [  # the control is new in v1.34 (pass/namespace-v1.33 is not judged by it)
        "Deployment monitoring-pinned/blackbox-sidecar spec.template.spec.containers[probe].livenessProbe"
        ".tcpSocket.host: is 'db.internal', must be unset (the pod's own IP) (Pod Security v1.34).",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())


def test_a_post_start_hook_is_checked_too():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {
            "containers": [{"name": "c", "lifecycle": {"postStart": {"tcpSocket": {"host": "db", "port": 5432}}}}]
        },
    }
    assert messages(check(rule, [pod])) == [
        "Pod ns/p spec.containers[c].lifecycle.postStart.tcpSocket.host: is 'db', must be unset (the pod's own IP)."
    ]
