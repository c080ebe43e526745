"""The Pod Security version table and label parsing (kube/pod_security.py), against pod-security-admission."""

from __future__ import annotations

import pytest

from kube.pod_security import (
    BASELINE,
    CHANGES,
    KNOWN_VERSIONS,
    NEWEST,
    OLDEST,
    PRIVILEGED,
    RESTRICTED,
    PodSecurity,
    allowed_values,
    exempts_user_namespaces,
    judged_version,
    namespace_policies,
    parse_version,
    resolve,
    starts,
)


@pytest.mark.parametrize(
    "text, version",
    [
        ("latest", NEWEST),
        ("v1.29", (1, 29)),
        ("v1.0", (1, 0)),
        ("v1.99", (1, 99)),  # valid: newer than any release is still a version
        ("1.29", None),
        ("v1.029", None),
        ("v2.1", None),
        ("V1.29", None),
        ("Latest", None),
        ("banana", None),
        ("", None),
        (1.29, None),
        (None, None),
    ],
)
def test_versions_parse_as_pod_security_admission_parses_them(text, version):
    assert parse_version(text) == version


@pytest.mark.parametrize(
    "text, judged",
    [("latest", NEWEST), ("v1.30", (1, 30)), ("banana", NEWEST), ("v1.99", NEWEST), ("v1.3", OLDEST), ("", NEWEST)],
)
def test_the_version_judged_is_a_known_one(text, judged):
    assert judged_version(text) == judged and judged in KNOWN_VERSIONS


def test_the_pack_knows_every_release_from_v1_25_to_v1_36():
    assert KNOWN_VERSIONS[0] == OLDEST == (1, 25) and KNOWN_VERSIONS[-1] == NEWEST == (1, 36)
    assert len(KNOWN_VERSIONS) == 12


def test_every_change_is_within_what_the_pack_knows_and_says_what_and_where():
    for change in CHANGES:
        assert change.version <= NEWEST and change.what.endswith(".") and change.source, change
        assert (change.version >= OLDEST) or (change.version == (1, 0) and change.values), change


@pytest.mark.parametrize(
    "version, added",
    [
        ((1, 26), set()),
        ((1, 27), {"net.ipv4.ip_local_reserved_ports"}),
        ((1, 28), {"net.ipv4.ip_local_reserved_ports"}),
        (
            (1, 29),
            {
                "net.ipv4.ip_local_reserved_ports",
                "net.ipv4.tcp_keepalive_time",
                "net.ipv4.tcp_fin_timeout",
                "net.ipv4.tcp_keepalive_intvl",
                "net.ipv4.tcp_keepalive_probes",
            },
        ),
    ],
)
def test_safe_sysctls_per_version(version, added):
    first = {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
    }
    assert set(allowed_values("sysctls", version)) == first | added


def test_tcp_buffer_sysctls_are_safe_from_v1_32():
    assert "net.ipv4.tcp_rmem" not in allowed_values("sysctls", (1, 31))
    assert {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"} <= set(allowed_values("sysctls", (1, 32)))
    assert len(allowed_values("sysctls")) == 12  # v1.36 (v1.37 will add two more: not released yet)


def test_selinux_types_host_probes_and_user_namespaces_per_version():
    assert "container_engine_t" not in allowed_values("seLinuxOptions", (1, 30))
    assert "container_engine_t" in allowed_values("seLinuxOptions", (1, 31))
    assert not starts("hostProbesAndHostLifecycle", (1, 33)) and starts("hostProbesAndHostLifecycle", (1, 34))
    for control in ("runAsNonRoot", "runAsUser", "procMount"):
        assert not exempts_user_namespaces(control, (1, 34)) and exempts_user_namespaces(control, (1, 35)), control
    assert starts("sysctls", OLDEST)  # a control without a start is in every version


def test_a_change_made_in_place_holds_at_every_version():
    assert "image" in allowed_values("restrictedVolumes", OLDEST)  # admission v1.33+ allows it at every version


@pytest.mark.parametrize(
    "declared, default, policy",
    [
        (None, "latest", PodSecurity(RESTRICTED, NEWEST)),  # no Namespace: the pack's default level
        ({}, "v1.28", PodSecurity(RESTRICTED, (1, 28))),  # no version label: the stage's or command line's
        ({"level": "baseline"}, "latest", PodSecurity(BASELINE, NEWEST)),
        ({"level": "privileged", "version": "v1.30"}, "v1.26", PodSecurity(PRIVILEGED, (1, 30))),  # the label wins
        ({"level": "strict", "version": "banana"}, "v1.26", PodSecurity(RESTRICTED, NEWEST)),  # as admission does
        ({"level": "", "version": ""}, "latest", PodSecurity(RESTRICTED, NEWEST)),
        ({"version": "v1.99"}, "latest", PodSecurity(RESTRICTED, NEWEST)),
        (None, "banana", PodSecurity(RESTRICTED, NEWEST)),
    ],
)
def test_a_namespace_policy_resolves_like_pod_security_admission(declared, default, policy):
    assert resolve(declared, default) == policy


def test_levels_include_the_lower_ones():
    assert PodSecurity(RESTRICTED, NEWEST).enforces(BASELINE)
    assert PodSecurity(BASELINE, NEWEST).enforces(BASELINE) and not PodSecurity(BASELINE, NEWEST).enforces(RESTRICTED)
    assert not PodSecurity(PRIVILEGED, NEWEST).enforces(BASELINE)


def test_namespace_policies_read_the_enforce_labels_of_namespace_objects_only():
    manifests = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": "a",
                "labels": {
                    "pod-security.kubernetes.io/enforce": "baseline",
                    "pod-security.kubernetes.io/enforce-version": "v1.29",
                    "pod-security.kubernetes.io/warn": "restricted",
                },
            },
        },
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": ["odd"]},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"x": "y"}}},
    ]
    assert namespace_policies(manifests) == {"a": {"level": "baseline", "version": "v1.29"}, "b": {}}
