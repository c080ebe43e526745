"""kube/probes.py: probe fields with the API's defaults, long-running containers, preStop sleeps."""

from __future__ import annotations

import pytest

from kube.probes import grace_period, long_running, prestop_sleep, probe_field, seconds_text, serving_template
from kube.workloads import pod_template


def test_probe_fields_default_as_the_api_server_sets_them():
    assert probe_field({}, "periodSeconds").value == 10 and probe_field({}, "periodSeconds").shown == "not set (10)"
    assert probe_field({}, "failureThreshold").value == 3
    assert probe_field({}, "initialDelaySeconds").value == 0
    assert probe_field({"periodSeconds": 5.0}, "periodSeconds").shown == "5"
    assert probe_field({"periodSeconds": "fast"}, "periodSeconds").shown == "'fast' (read as 10)"


def test_long_running_containers_are_regular_ones_and_sidecars():
    template = pod_template(
        {
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {
                "initContainers": [{"name": "init"}, {"name": "proxy", "restartPolicy": "Always"}],
                "containers": [{"name": "app"}],
                "ephemeralContainers": [{"name": "debug"}],
            },
        }
    )
    assert [c.name for c in long_running(template)] == ["proxy", "app"]


def test_grace_period_defaults_to_30_seconds():
    pod = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": []}}
    assert grace_period(pod_template(pod)).value == 30 and grace_period(pod_template(pod)).raw is None
    pod["spec"]["terminationGracePeriodSeconds"] = 60.0
    assert grace_period(pod_template(pod)).value == 60


@pytest.mark.parametrize(
    "pre_stop, found",
    [
        ({"sleep": {"seconds": 10}}, ("lifecycle.preStop.sleep.seconds", 10)),
        ({"sleep": {"seconds": 10.0}}, ("lifecycle.preStop.sleep.seconds", 10)),
        ({"exec": {"command": ["sleep", "10"]}}, ("lifecycle.preStop.exec.command", 10)),
        ({"exec": {"command": ["/bin/sleep", "1m", "30s"]}}, ("lifecycle.preStop.exec.command", 90)),
        ({"exec": {"command": ["sleep", "1.5"]}}, ("lifecycle.preStop.exec.command", 1.5)),
        ({"exec": {"command": ["sh", "-c", "sleep 10"]}}, ("lifecycle.preStop.exec.command", 10)),
        (
            {"exec": {"command": ["/bin/bash", "-c", "sleep 5 && nginx -s quit; sleep 2s"]}},
            ("lifecycle.preStop.exec.command", 7),
        ),
        ({"exec": {"command": ["sh", "-c", "nginx -s quit"]}}, None),
        ({"exec": {"command": ["sh", "-c", "sleep $DELAY"]}}, None),
        ({"exec": {"command": ["sh", "-c", "usleep 500000"]}}, None),
        ({"exec": {"command": ["sleep", "soon"]}}, None),
        ({"exec": {"command": ["sleep"]}}, None),
        ({"exec": {"command": ["sh", "-c"]}}, None),
        ({"exec": {"command": "sleep 10"}}, None),
        ({"httpGet": {"path": "/drain", "port": 8080}}, None),
        ("junk", None),
    ],
)
def test_prestop_sleep(pre_stop, found):
    assert prestop_sleep({"name": "c", "lifecycle": {"preStop": pre_stop}}) == found


def test_no_lifecycle_no_sleep():
    assert prestop_sleep({"name": "c"}) is None and prestop_sleep({"lifecycle": "junk"}) is None


def test_seconds_text():
    assert seconds_text(60.0) == "60" and seconds_text(7.5) == "7.5"


def test_serving_templates_are_those_of_workloads_that_run_until_replaced():
    pod = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app"}]}}
    assert serving_template(pod) is not None
    assert serving_template({**pod, "spec": {**pod["spec"], "restartPolicy": "Never"}}) is None
    owned = {**pod, "metadata": {"name": "p", "ownerReferences": [{"kind": "Job", "name": "j"}]}}
    assert serving_template(owned) is None
    job = {"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": pod["spec"]}}}
    assert serving_template(job) is None
    assert serving_template({**job, "kind": "StatefulSet"}).path == "spec.template.spec"
