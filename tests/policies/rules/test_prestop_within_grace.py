from policies.rules import prestop_within_grace as rule
from tests.policies.helpers import pass_and_fail_tests

POD = "spec.template.spec"
DEFAULT = f"({POD}.terminationGracePeriodSeconds, the default as it is not set), leaving time to stop after SIGTERM."
FAIL = {
    "sleep-too-long": [
        f"Deployment agent-platform-prod/agent-service {POD}.initContainers[proxy].lifecycle.preStop.exec.command: "
        f"is a sleep of 35 s, must be a sleep below 30 s {DEFAULT}",
        f"Deployment agent-platform-prod/agent-service {POD}.containers[agent].lifecycle.preStop.sleep.seconds: "
        f"is 30, must be below 30 s {DEFAULT}",
        f"Deployment agent-platform-prod/agent-service {POD}.containers[worker].lifecycle.preStop.exec.command: "
        f"is a sleep of 60 s, must be a sleep below 30 s {DEFAULT}",
    ],
    "grace-shorter": [
        f"StatefulSet agent-platform-prod/cache {POD}.containers[redis].lifecycle.preStop.sleep.seconds: is 10, "
        f"must be below 10 s ({POD}.terminationGracePeriodSeconds), leaving time to stop after SIGTERM."
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL)
