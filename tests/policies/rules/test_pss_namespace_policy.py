from policies.rules import pss_namespace_policy as rule
from tests.policies.helpers import check, fixture, pass_and_fail_tests
from tests.policies.pss_inputs import as_pulumi, odd_pod_manifests

LABEL = "metadata.labels[pod-security.kubernetes.io"
KNOWN = "must be latest or v1.25 to v1.36 (the versions the pack knows; its pods are judged as"
FAIL = {
    "namespaces": [  # privileged: no version reported, nothing is judged there; unlabelled level: restricted
        f"Namespace ingress-nginx {LABEL}/enforce]: is 'privileged', "
        "must be restricted for the Pod Security controls to judge its pods (none do).",
        f"Namespace legacy-web {LABEL}/enforce]: is 'baseline', "
        "must be restricted for the restricted controls to judge its pods (only the baseline controls do).",
        f"Namespace legacy-web {LABEL}/enforce-version]: is 'v1.23', {KNOWN} v1.25).",
        f"Namespace far-future {LABEL}/enforce-version]: is 'v1.99', {KNOWN} v1.36).",
    ],
}

test_pass, test_fail = pass_and_fail_tests(rule, FAIL)


def test_its_findings_are_advisory_and_the_same_under_pulumi():
    manifests = fixture(rule, "fail", "namespaces")
    findings = check(rule, manifests)
    assert findings and all(f.enforcement == "advisory" for f in findings)
    assert [f.message() for f in check(rule, as_pulumi(manifests))] == [f.message() for f in findings]


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())
