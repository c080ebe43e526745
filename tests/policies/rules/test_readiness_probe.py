from policies.rules import readiness_interval
from policies.rules import readiness_probe as rule
from tests.policies.helpers import check, fixture, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests
from tests.policies.rbac_inputs import odd_rbac_manifests

MUST = "must be a probe that passes only when the container can serve (without one it is ready as soon as it starts)."
FAIL = {
    "ports": [
        "Deployment shop/web spec.template.spec.initContainers[proxy].readinessProbe: is not set on a container "
        f"serving ports 15001, {MUST}",  # a native sidecar
        "Deployment shop/web spec.template.spec.containers[web].readinessProbe: is not set on a container serving "
        f"ports 8080, 9090, {MUST}",  # a liveness probe is no readiness probe
        "DaemonSet monitoring/node-exporter spec.template.spec.containers[exporter].readinessProbe: is not set on a "
        f"container serving ports 9100, {MUST}",
    ],
    "service": [
        "Deployment shop/api spec.template.spec.containers[api].readinessProbe: is not set, and Service shop/api "
        f"sends the pod traffic on port 8080, which no container declares, {MUST}",
        # The probed metrics container declares its port; the named target "admin" is the other one's.
        "Pod shop/backoffice spec.containers[backoffice].readinessProbe: is not set, and Service shop/admin sends "
        f"the pod traffic on port 'admin', which no container declares, {MUST}",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests() + odd_rbac_manifests())


def test_the_platform_profile_reports_a_missing_probe_once():
    for name in FAIL:
        assert check(readiness_interval, fixture(rule, "fail", name)) == [], name


def test_a_service_selects_by_every_label_of_its_selector():
    manifests = fixture(rule, "fail", "service")[:2]
    service, deployment = manifests
    other = {**service, "spec": {**service["spec"], "selector": {"app": "api", "tier": "frontend"}}}
    assert check(rule, [other, deployment]) == []
    both = {**service, "spec": {**service["spec"], "selector": {"app": "api", "tier": "backend"}}}
    assert len(check(rule, [both, deployment])) == 1
