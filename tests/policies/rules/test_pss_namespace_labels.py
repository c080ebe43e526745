from policies.rules import pss_namespace_labels as rule
from tests.policies.helpers import check, messages, yaml_and_pulumi_tests
from tests.policies.pss_inputs import odd_pod_manifests

SHOP = "Namespace shop metadata.labels[pod-security.kubernetes.io"
LEVELS = "must be privileged, baseline or restricted."
VERSIONS = "must be latest or v1.<minor> (e.g. v1.36)."
FAIL = {
    "namespace": [  # each mode's level and version; audit: restricted passes
        f"{SHOP}/enforce]: is 'strict', {LEVELS}",
        f"{SHOP}/enforce-version]: is 'banana', {VERSIONS}",
        f"{SHOP}/audit-version]: is '1.29', {VERSIONS}",
        f"{SHOP}/warn]: is 'Restricted', {LEVELS}",
        f"{SHOP}/warn-version]: is 'v1.029', {VERSIONS}",
    ],
    "empty-values": [
        f"Namespace half-labelled metadata.labels[pod-security.kubernetes.io/enforce]: is '', {LEVELS}",
        f"Namespace half-labelled metadata.labels[pod-security.kubernetes.io/enforce-version]: is '', {VERSIONS}",
    ],
}


(
    test_pass_fixture_has_no_finding,
    test_fail_fixture_names_each_violation,
    test_every_fail_fixture_is_checked,
) = yaml_and_pulumi_tests(rule, FAIL)


def test_odd_manifests_do_not_crash_it():
    check(rule, odd_pod_manifests())


def test_a_label_that_is_no_string_is_reported():
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "n", "labels": {"pod-security.kubernetes.io/enforce-version": 1.29}},
    }
    assert messages(check(rule, [namespace])) == [
        f"Namespace n metadata.labels[pod-security.kubernetes.io/enforce-version]: is 1.29, {VERSIONS}"
    ]


def test_only_namespaces_are_read():
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "n", "labels": {"pod-security.kubernetes.io/enforce": "strict"}},
        "spec": {"containers": [{"name": "c"}]},
    }
    assert check(rule, [pod]) == []
