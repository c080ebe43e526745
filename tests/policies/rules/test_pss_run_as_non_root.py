from policies.rules import pss_run_as_non_root as rule
from tests.policies.helpers import check, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

FAIL = {
    "cronjob": [  # set nowhere: one finding, at pod level
        "CronJob agent-platform-prod/report spec.jobTemplate.spec.template.spec.securityContext.runAsNonRoot: "
        "is not set (nor on any container), must be true.",
    ],
    "deployment": [  # true at pod level does not cover an init container that sets false
        "Deployment agent-platform-prod/user-service spec.template.spec.initContainers[migrate].securityContext"
        ".runAsNonRoot: is false, must be true.",
    ],
    "statefulset": [  # false at pod level fails even where a container sets true
        "StatefulSet agent-platform-prod/agent-service spec.template.spec.securityContext.runAsNonRoot: "
        "is false, must be true.",
    ],
    "pod": [  # not on the pod: every container needs it, the ephemeral one included
        "Pod agent-platform-prod/agent-service-7d9f spec.ephemeralContainers[debugger].securityContext.runAsNonRoot: "
        "is not set (nor on the pod), must be true.",
    ],
    "user-namespace-v1.34": [  # hostUsers: false is exempt from v1.35 on (pass/user-namespace-latest)
        "Pod build-farm-pinned/buildkitd-0 spec.securityContext.runAsNonRoot: is false, must be true "
        "(Pod Security v1.34).",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
