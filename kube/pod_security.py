"""The Pod Security Standards per Kubernetes version: which version changed which control, once.

A namespace declares the policy its pods are judged by with two labels:
`pod-security.kubernetes.io/enforce` (privileged | baseline | restricted) and
`pod-security.kubernetes.io/enforce-version` (`latest` or `v1.<minor>`). Every fact below is read
from pod-security-admission (kubernetes/pod-security-admission, `policy/check_*.go` and
`api/helpers.go`, as released with Kubernetes v1.36.2), where each check lists the
`MinimumVersion` of each of its versions. The pack judges a namespace as the admission controller
of the newest release it knows (NEWEST) judges it at the namespace's policy version:

- a change made as a new versioned check applies from its version on (`in_place` False);
- a change made inside an existing check (`in_place` True) is applied by that release's admission
  controller at every policy version, so the pack applies it at every version too.

Not yet released, so not known here: Kubernetes v1.37 adds net.ipv4.tcp_slow_start_after_idle and
net.ipv4.tcp_notsent_lowat to the safe sysctls (check_sysctls.go on the main branch, July 2026).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Version = tuple[int, int]  # (1, 29) is v1.29

PRIVILEGED, BASELINE, RESTRICTED = "privileged", "baseline", "restricted"
LEVELS = (PRIVILEGED, BASELINE, RESTRICTED)  # from least to most strict
LATEST = "latest"
OLDEST: Version = (1, 25)  # the first release with Pod Security admission GA, and the oldest the pack judges
NEWEST: Version = (1, 36)  # the newest released Kubernetes the pack knows: what `latest` means here
KNOWN_VERSIONS: tuple[Version, ...] = tuple((1, minor) for minor in range(OLDEST[1], NEWEST[1] + 1))

LABEL_PREFIX = "pod-security.kubernetes.io/"
MODES = ("enforce", "audit", "warn")
ENFORCE_LABEL = LABEL_PREFIX + "enforce"
ENFORCE_VERSION_LABEL = LABEL_PREFIX + "enforce-version"

# The kinds of change a version makes to a control.
ALLOWS = "allows"  # adds `values` to the control's allow-list
STARTS = "starts"  # the control exists from this version on
USER_NAMESPACES = "user-namespaces"  # pods with hostUsers: false are exempt from the control
FIELDS = "fields"  # the control also reads a new field


@dataclass(frozen=True)
class Change:
    """What one Kubernetes version changed in one control of the standard."""

    version: Version
    control: str  # pod-security-admission's check id
    kind: str  # ALLOWS | STARTS | USER_NAMESPACES | FIELDS
    what: str  # one sentence for docs/policies.md
    values: tuple[str, ...] = ()
    in_place: bool = False  # changed inside the check: applied at every policy version (see above)
    source: str = ""  # where it is written down


CHANGES: tuple[Change, ...] = (
    Change(
        (1, 0),
        "sysctls",
        ALLOWS,
        "The safe sysctls of the first standard.",
        (
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_unprivileged_port_start",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
        ),
        source="check_sysctls.go sysctlsAllowedV1Dot0",
    ),
    Change(
        (1, 27),
        "sysctls",
        ALLOWS,
        "Adds a safe sysctl: the reserved local ports.",
        ("net.ipv4.ip_local_reserved_ports",),
        source="check_sysctls.go sysctlsAllowedV1Dot27",
    ),
    Change(
        (1, 29),
        "sysctls",
        ALLOWS,
        "Adds the TCP keepalive and FIN timeout sysctls to the safe ones.",
        (
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
        ),
        source="check_sysctls.go sysctlsAllowedV1Dot29",
    ),
    Change(
        (1, 32),
        "sysctls",
        ALLOWS,
        "Adds the TCP buffer sizes to the safe sysctls.",
        ("net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"),
        source="check_sysctls.go sysctlsAllowedV1Dot32",
    ),
    Change(
        (1, 0),
        "seLinuxOptions",
        ALLOWS,
        "The SELinux types of the first standard.",
        ("container_t", "container_init_t", "container_kvm_t"),
        source="check_seLinuxOptions.go selinuxAllowedTypes1_0",
    ),
    Change(
        (1, 31),
        "seLinuxOptions",
        ALLOWS,
        "Adds an SELinux type for a container engine run in a pod.",
        ("container_engine_t",),
        source="check_seLinuxOptions.go selinuxAllowedTypes1_31",
    ),
    Change(
        (1, 0),
        "restrictedVolumes",
        ALLOWS,
        "The volume types of the first restricted standard.",
        ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"),
        source="check_restrictedVolumes.go restrictedVolumes_1_0",
    ),
    Change(
        (1, 30),
        "appArmorProfile",
        FIELDS,
        "The AppArmor control reads the new appArmorProfile.type fields beside the annotations.",
        in_place=True,
        source="check_appArmorProfile.go appArmorProfile_1_0, changed in place (commit 32ef468, v1.30.0)",
    ),
    Change(
        (1, 33),
        "restrictedVolumes",
        ALLOWS,
        "Adds image volumes (an OCI image mounted as a volume).",
        ("image",),
        in_place=True,
        source="check_restrictedVolumes.go restrictedVolumes_1_0, changed in place (commit ca569ec, v1.33.0)",
    ),
    Change(
        (1, 34),
        "hostProbesAndHostLifecycle",
        STARTS,
        "New baseline control: probes and lifecycle hooks may not set httpGet.host or tcpSocket.host.",
        source="check_hostProbesAndhostLifecycle.go hostProbesAndHostLifecycleV1Dot34",
    ),
    Change(
        (1, 35),
        "runAsNonRoot",
        USER_NAMESPACES,
        "A pod with hostUsers: false (its own user namespace) is exempt from runAsNonRoot.",
        source="check_runAsNonRoot.go runAsNonRoot1_35 (a perma-alpha feature gate before, off by default)",
    ),
    Change(
        (1, 35),
        "runAsUser",
        USER_NAMESPACES,
        "A pod with hostUsers: false may run as UID 0 (root in its user namespace only).",
        source="check_runAsUser.go runAsUser1_35",
    ),
    Change(
        (1, 35),
        "procMount",
        USER_NAMESPACES,
        "Baseline lets a pod with hostUsers: false set any procMount (Unmasked); restricted still requires Default.",
        source="check_procMount_baseline.go procMount1_35baseline, check_procMount_restricted.go",
    ),
)

_VERSION = re.compile(r"^v1\.(0|[1-9][0-9]*)$")  # pod-security-admission's api.ParseVersion


def version_text(version: Version) -> str:
    return f"v{version[0]}.{version[1]}"


def parse_version(text: Any) -> Version | None:
    """The version a label value names, as pod-security-admission reads it: `latest` is NEWEST,
    `v1.<minor>` is (1, minor) even outside KNOWN_VERSIONS; None for anything else (invalid)."""
    if text == LATEST:
        return NEWEST
    match = _VERSION.match(text) if isinstance(text, str) else None
    return (1, int(match.group(1))) if match else None


def judged_version(text: Any) -> Version:
    """The version the pack judges a label value at: an invalid one as latest (what admission does, see
    api.PolicyToEvaluate), one newer than NEWEST as NEWEST (the admission controller's newest checks), one
    older than OLDEST as OLDEST (the oldest the pack knows)."""
    version = parse_version(text) or NEWEST
    return min(max(version, OLDEST), NEWEST)


def parse_level(text: Any) -> str | None:
    return text if text in LEVELS else None


def changes_of(control: str) -> list[Change]:
    return [change for change in CHANGES if change.control == control]


def _in_force(change: Change, version: Version) -> bool:
    return change.in_place or change.version <= version


def allowed_values(control: str, version: Version = NEWEST) -> tuple[str, ...]:
    """A control's allow-list at a version: its first list and every later addition in force."""
    return tuple(
        value
        for change in changes_of(control)
        if change.kind == ALLOWS and _in_force(change, version)
        for value in change.values
    )


def allow_list_text(control: str) -> str:
    """A control's newest allow-list for a fix text, each later addition with its version: 'a, b (v1.27+)'."""
    return ", ".join(
        value + (f" ({version_text(change.version)}+)" if change.version >= OLDEST else "")
        for change in changes_of(control)
        if change.kind == ALLOWS
        for value in change.values
    )


def starts(control: str, version: Version) -> bool:
    """Whether the control is part of the standard at this version."""
    return all(_in_force(c, version) for c in changes_of(control) if c.kind == STARTS)


def exempts_user_namespaces(control: str, version: Version) -> bool:
    """Whether a pod in its own user namespace (hostUsers: false) is exempt from the control at this version."""
    return any(_in_force(c, version) for c in changes_of(control) if c.kind == USER_NAMESPACES)


def in_user_namespace(spec: Mapping[str, Any]) -> bool:
    """hostUsers: false, the only value pod-security-admission relaxes for (unset is the host's namespace)."""
    return spec.get("hostUsers") is False


@dataclass(frozen=True)
class PodSecurity:
    """The policy a namespace's pods are judged by: a level and a known version."""

    level: str
    version: Version

    def enforces(self, level: str) -> bool:
        """Whether controls of `level` (baseline or restricted) apply here."""
        return LEVELS.index(self.level) >= LEVELS.index(level)

    def suffix(self) -> str:
        """What a finding adds when it is judged at a version other than the newest: ' (Pod Security v1.26)'."""
        return "" if self.version == NEWEST else f" (Pod Security {version_text(self.version)})"


def resolve(declared: Mapping[str, Any] | None, default_version: Any = LATEST) -> PodSecurity:
    """The policy of a namespace from its declared {level, version} (the enforce and enforce-version labels).

    No level: restricted (the pack's default; the admission controller's own default is privileged). No version:
    default_version (the stage's or the command line's). Invalid values: restricted and latest, as
    pod-security-admission's api.PolicyToEvaluate falls back to (pss-namespace-labels reports them).
    """
    declared = declared if isinstance(declared, Mapping) else {}
    level = parse_level(declared.get("level")) if declared.get("level") is not None else RESTRICTED
    version = declared.get("version")
    return PodSecurity(level or RESTRICTED, judged_version(default_version if version is None else version))


def labels_of(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = manifest.get("metadata")
    labels = metadata.get("labels") if isinstance(metadata, Mapping) else None
    return labels if isinstance(labels, Mapping) else {}


def declared_policy(manifest: Mapping[str, Any]) -> dict[str, str]:
    """A Namespace's {level, version} as its enforce labels declare them (absent keys left out)."""
    labels = labels_of(manifest)
    declared = {"level": labels.get(ENFORCE_LABEL), "version": labels.get(ENFORCE_VERSION_LABEL)}
    return {key: str(value) for key, value in declared.items() if value is not None}


def namespace_policies(manifests: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """namespace -> {level, version} for every Namespace object among the manifests (an unlabelled one maps to {})."""
    out: dict[str, dict[str, str]] = {}
    for manifest in manifests:
        metadata = manifest.get("metadata")
        name = metadata.get("name") if isinstance(metadata, Mapping) else None
        if manifest.get("kind") == "Namespace" and isinstance(name, str) and name:
            out[name] = declared_policy(manifest)
    return out
