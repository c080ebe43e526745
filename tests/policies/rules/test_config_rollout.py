from kube.checksum import config_checksum
from kube.workloads import pod_template
from policies.rules import config_rollout as rule
from tests.policies.helpers import fixture, pass_and_fail_tests

ANNOTATION = "spec.template.metadata.annotations['checksum/config']"
NEW = config_checksum({"agent-config": {"config.yaml": "log_format: text\n"}})
FAIL = {
    "missing-annotation": [
        f"StatefulSet agent-platform-prod/cache {ANNOTATION}: is missing (the pods use ConfigMaps cache-config, "
        "cache-mode and would not roll when they change), must be the checksum of ConfigMaps cache-config, cache-mode "
        "(kube.checksum.config_checksum)."
    ],
    "stale-checksum": [
        f"Deployment agent-platform-prod/agent-service {ANNOTATION}: is 'af6e945efa08…' (stale: ConfigMap agent-config "
        f"changed since it was computed), must be '{NEW[:12]}…', the checksum of ConfigMap agent-config as it is now, "
        "so the change rolls the pods."
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL)


def test_the_fixture_checksum_is_the_generators():
    (config_map, deployment, *_) = fixture(rule, "pass", "checksum-matches")
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["checksum/config"] == config_checksum({"agent-config": config_map["data"]})


def test_every_way_of_using_a_config_map_is_found():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {
            "volumes": [
                {"name": "a", "configMap": {"name": "volume"}},
                {"name": "b", "projected": {"sources": [{"configMap": {"name": "projected"}}]}},
                {"name": "c", "secret": {"secretName": "not-a-config-map"}},
            ],
            "initContainers": [
                {"name": "i", "envFrom": [{"configMapRef": {"name": "env-from"}}, {"secretRef": {"name": "s"}}]}
            ],
            "containers": [
                {
                    "name": "c",
                    "env": [
                        {"name": "X", "valueFrom": {"configMapKeyRef": {"name": "key-ref", "key": "x"}}},
                        {"name": "Y", "valueFrom": {"configMapKeyRef": {"name": "volume", "key": "y"}}},
                    ],
                }
            ],
        },
    }
    assert rule.config_map_names(pod_template(pod)) == ["volume", "projected", "env-from", "key-ref"]
