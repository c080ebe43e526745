import pytest

from policies.rules import spread_and_anti_affinity as rule
from tests.policies.helpers import check, fixture, fixtures, pass_and_fail_tests

REQUIRED = {"require_spread": True, "zones": 3}
POD = "spec.template.spec"
ANTI = f"{POD}.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution"
TERM = (
    "must be a term with topologyKey kubernetes.io/hostname whose labelSelector selects the pod's own labels "
    "(policy.require_spread)."
)
ZONE = (
    "must be a constraint on topology.kubernetes.io/zone with maxSkew 1 and whenUnsatisfiable DoNotSchedule "
    "(policy.require_spread)."
)
FAIL = {
    "no-spread": [
        f"Deployment agent-platform-prod/agent-service {ANTI}: is not set, {TERM}",
        f"Deployment agent-platform-prod/agent-service {POD}.topologySpreadConstraints: is without a constraint on "
        f"topology.kubernetes.io/zone, {ZONE}",
        f"StatefulSet agent-platform-prod/cache {ANTI}: is not set (only preferred anti-affinity, which the scheduler "
        f"may ignore), {TERM}",
        f"StatefulSet agent-platform-prod/cache {POD}.topologySpreadConstraints: is without a constraint on "
        f"topology.kubernetes.io/zone, {ZONE}",
    ],
    "weak-spread": [
        f"Deployment agent-platform-prod/task-service {ANTI}: is without a term on kubernetes.io/hostname selecting "
        f"the pod's own labels, {TERM}",
        f"Deployment agent-platform-prod/task-service {POD}.topologySpreadConstraints[0].maxSkew: is 2, "
        "must be 1 (pods spread evenly over the zones).",
        f"Deployment agent-platform-prod/task-service {POD}.topologySpreadConstraints[0].whenUnsatisfiable: "
        "is 'ScheduleAnyway', must be 'DoNotSchedule' (ScheduleAnyway may put every pod in one zone).",
        f"Deployment agent-platform-prod/task-service {POD}.topologySpreadConstraints[0].labelSelector: "
        "is {} (counts every pod), must be a selector of the pod's own labels.",
        f"Deployment agent-platform-prod/task-service {POD}.topologySpreadConstraints[0].minDomains: "
        "is not set, must be at least 3 (the stage's availability zones).",
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL, **REQUIRED)


@pytest.mark.parametrize("name", fixtures(rule, "fail"))
def test_nothing_is_required_unless_the_stage_says_so(name):
    assert check(rule, fixture(rule, "fail", name)) == []
    assert check(rule, fixture(rule, "fail", name), require_spread=False, zones=3) == []


def test_min_domains_follows_the_stage_zones():
    manifests = fixture(rule, "pass", "spread")
    assert [f.path for f in check(rule, manifests, require_spread=True, zones=4)] == [
        f"{POD}.topologySpreadConstraints[1].minDomains",
        f"{POD}.topologySpreadConstraints[0].minDomains",
    ]
    weak = [f.path for f in check(rule, fixture(rule, "fail", "weak-spread"), require_spread=True, zones=1)]
    assert f"{POD}.topologySpreadConstraints[0].minDomains" not in weak and len(weak) == 4
