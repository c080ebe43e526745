from policies.rules import pss_apparmor as rule
from tests.policies.helpers import check, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

DEPLOYMENT = "Deployment agent-platform-prod/tool-service spec.template"
POD = "Pod agent-platform-prod/agent-service-7d9f"
FAIL = {
    "deployment": [  # the pod template's annotation and the pod-level profile; RuntimeDefault on the container passes
        f"{DEPLOYMENT}.metadata.annotations[container.apparmor.security.beta.kubernetes.io/tool]: is 'unconfined', "
        "must be runtime/default or localhost/<profile>.",
        f"{DEPLOYMENT}.spec.securityContext.appArmorProfile.type: is 'Unconfined', must be RuntimeDefault or Localhost.",
    ],
    "pod": [  # a bare Pod's own annotations; init and ephemeral containers
        f"{POD} metadata.annotations[container.apparmor.security.beta.kubernetes.io/debugger]: is 'docker-default', "
        "must be runtime/default or localhost/<profile>.",
        f"{POD} spec.initContainers[setup].securityContext.appArmorProfile.type: is 'Unconfined', "
        "must be RuntimeDefault or Localhost.",
        f"{POD} spec.ephemeralContainers[debugger].securityContext.appArmorProfile.type: is 'Unconfined', "
        "must be RuntimeDefault or Localhost.",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
