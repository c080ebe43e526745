"""API versions Kubernetes no longer serves, or still serves but has deprecated: with the release
and what to use instead, so a check can say "batch/v1beta1 CronJob was removed in Kubernetes
1.25: use batch/v1" rather than "no such kind".

Sources, one table for both:
- the Kubernetes Deprecated API Migration Guide (kubernetes/website,
  content/en/docs/reference/using-api/deprecation-guide.md): every removal from 1.16 to 1.32,
  beta and GA APIs (the guide lists none after 1.32);
- kubernetes-validate's schema sets 1.25 to 1.37 for the rest: each kind present in one
  release's schemas and absent from the next (alpha APIs, and betas removed after 1.32). The
  replacement is the newest version of the same kind the newest release serves, or none.
tests/kube/test_api_versions.py checks the second part against those schema sets.

A replacement that was itself removed later is followed to the end of the chain:
extensions/v1beta1 PodSecurityPolicy points to policy/v1beta1, removed in 1.25 with no successor.
"""

from __future__ import annotations

from dataclasses import dataclass

# (release that stopped serving it, apiVersion, kinds, replacement apiVersion or None)
_REMOVED: tuple[tuple[str, str, str, str | None], ...] = (
    # the migration guide
    ("1.16", "extensions/v1beta1", "NetworkPolicy", "networking.k8s.io/v1"),
    ("1.16", "extensions/v1beta1", "DaemonSet Deployment ReplicaSet", "apps/v1"),
    ("1.16", "extensions/v1beta1", "PodSecurityPolicy", "policy/v1beta1"),
    ("1.16", "apps/v1beta1", "Deployment ReplicaSet StatefulSet", "apps/v1"),
    ("1.16", "apps/v1beta2", "DaemonSet Deployment ReplicaSet StatefulSet", "apps/v1"),
    (
        "1.22",
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration ValidatingWebhookConfiguration",
        "admissionregistration.k8s.io/v1",
    ),
    ("1.22", "apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", "apiextensions.k8s.io/v1"),
    ("1.22", "apiregistration.k8s.io/v1beta1", "APIService", "apiregistration.k8s.io/v1"),
    ("1.22", "authentication.k8s.io/v1beta1", "TokenReview", "authentication.k8s.io/v1"),
    (
        "1.22",
        "authorization.k8s.io/v1beta1",
        "LocalSubjectAccessReview SelfSubjectAccessReview SubjectAccessReview SelfSubjectRulesReview",
        "authorization.k8s.io/v1",
    ),
    ("1.22", "certificates.k8s.io/v1beta1", "CertificateSigningRequest", "certificates.k8s.io/v1"),
    ("1.22", "coordination.k8s.io/v1beta1", "Lease", "coordination.k8s.io/v1"),
    ("1.22", "extensions/v1beta1", "Ingress", "networking.k8s.io/v1"),
    ("1.22", "networking.k8s.io/v1beta1", "Ingress IngressClass", "networking.k8s.io/v1"),
    (
        "1.22",
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRole ClusterRoleBinding Role RoleBinding",
        "rbac.authorization.k8s.io/v1",
    ),
    ("1.22", "scheduling.k8s.io/v1beta1", "PriorityClass", "scheduling.k8s.io/v1"),
    ("1.22", "storage.k8s.io/v1beta1", "CSIDriver CSINode StorageClass VolumeAttachment", "storage.k8s.io/v1"),
    ("1.25", "batch/v1beta1", "CronJob", "batch/v1"),
    ("1.25", "discovery.k8s.io/v1beta1", "EndpointSlice", "discovery.k8s.io/v1"),
    ("1.25", "events.k8s.io/v1beta1", "Event", "events.k8s.io/v1"),
    ("1.25", "autoscaling/v2beta1", "HorizontalPodAutoscaler", "autoscaling/v2"),
    ("1.25", "policy/v1beta1", "PodDisruptionBudget", "policy/v1"),
    ("1.25", "policy/v1beta1", "PodSecurityPolicy", None),
    ("1.25", "node.k8s.io/v1beta1", "RuntimeClass", "node.k8s.io/v1"),
    (
        "1.26",
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "FlowSchema PriorityLevelConfiguration",
        "flowcontrol.apiserver.k8s.io/v1beta2",
    ),
    ("1.26", "autoscaling/v2beta2", "HorizontalPodAutoscaler", "autoscaling/v2"),
    ("1.27", "storage.k8s.io/v1beta1", "CSIStorageCapacity", "storage.k8s.io/v1"),
    (
        "1.29",
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "FlowSchema PriorityLevelConfiguration",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    (
        "1.32",
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "FlowSchema PriorityLevelConfiguration",
        "flowcontrol.apiserver.k8s.io/v1",
    ),
    # kubernetes-validate's schema sets: alpha APIs, and betas removed after the guide's last entry
    ("1.27", "resource.k8s.io/v1alpha1", "PodScheduling ResourceClass", None),
    ("1.27", "resource.k8s.io/v1alpha1", "ResourceClaim ResourceClaimTemplate", "resource.k8s.io/v1"),
    ("1.29", "networking.k8s.io/v1alpha1", "ClusterCIDR", None),
    ("1.31", "networking.k8s.io/v1alpha1", "IPAddress ServiceCIDR", "networking.k8s.io/v1"),
    (
        "1.31",
        "resource.k8s.io/v1alpha2",
        "PodSchedulingContext ResourceClaimParameters ResourceClass ResourceClassParameters",
        None,
    ),
    ("1.31", "resource.k8s.io/v1alpha2", "ResourceClaim ResourceClaimTemplate ResourceSlice", "resource.k8s.io/v1"),
    (
        "1.32",
        "admissionregistration.k8s.io/v1alpha1",
        "ValidatingAdmissionPolicy ValidatingAdmissionPolicyBinding",
        "admissionregistration.k8s.io/v1",
    ),
    ("1.32", "authentication.k8s.io/v1alpha1", "SelfSubjectReview", "authentication.k8s.io/v1"),
    ("1.32", "coordination.k8s.io/v1alpha1", "LeaseCandidate", "coordination.k8s.io/v1beta1"),
    ("1.32", "resource.k8s.io/v1alpha3", "PodSchedulingContext", None),
    ("1.33", "authentication.k8s.io/v1beta1", "SelfSubjectReview", "authentication.k8s.io/v1"),
    (
        "1.34",
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingAdmissionPolicy ValidatingAdmissionPolicyBinding",
        "admissionregistration.k8s.io/v1",
    ),
    (
        "1.34",
        "resource.k8s.io/v1alpha3",
        "DeviceClass ResourceClaim ResourceClaimTemplate ResourceSlice",
        "resource.k8s.io/v1",
    ),
    ("1.35", "certificates.k8s.io/v1alpha1", "PodCertificateRequest", "certificates.k8s.io/v1"),
    ("1.35", "storage.k8s.io/v1alpha1", "VolumeAttributesClass", "storage.k8s.io/v1"),
    ("1.35", "storagemigration.k8s.io/v1alpha1", "StorageVersionMigration", "storagemigration.k8s.io/v1"),
    ("1.36", "scheduling.k8s.io/v1alpha1", "Workload", "scheduling.k8s.io/v1beta1"),
    ("1.37", "certificates.k8s.io/v1alpha1", "ClusterTrustBundle", "certificates.k8s.io/v1"),
    ("1.37", "networking.k8s.io/v1beta1", "IPAddress ServiceCIDR", "networking.k8s.io/v1"),
    ("1.37", "scheduling.k8s.io/v1alpha2", "PodGroup Workload", "scheduling.k8s.io/v1beta1"),
    ("1.37", "storage.k8s.io/v1beta1", "VolumeAttributesClass", "storage.k8s.io/v1"),
)
# Still served, but deprecated: (release that deprecated it, apiVersion, kind, replacement apiVersion and kind)
_DEPRECATED: tuple[tuple[str, str, str, str | None], ...] = (
    ("1.19", "v1", "ComponentStatus", None),
    ("1.33", "v1", "Endpoints", "discovery.k8s.io/v1 EndpointSlice"),
)
_NO_PSP = (
    "Pod Security Admission (pod-security.kubernetes.io/* labels on the namespace) or a third-party admission webhook"
)


@dataclass(frozen=True)
class RemovedApi:
    """An apiVersion and kind Kubernetes stopped serving."""

    api_version: str
    kind: str
    removed_in: str  # "1.25"
    replacement: str | None  # the apiVersion of the same kind to use, after following any chain; None: none

    def message(self) -> str:
        """`batch/v1beta1 CronJob was removed in Kubernetes 1.25: use batch/v1`."""
        head = f"{self.api_version} {self.kind} was removed in Kubernetes {self.removed_in}"
        if self.replacement:
            return f"{head}: use {self.replacement}"
        if self.kind == "PodSecurityPolicy":
            return f"{head}, with no replacement: use {_NO_PSP}"
        return f"{head}, with no replacement in the Kubernetes versions since"


@dataclass(frozen=True)
class DeprecatedApi:
    """An apiVersion and kind Kubernetes still serves, deprecated."""

    api_version: str
    kind: str
    deprecated_in: str
    replacement: str | None  # "discovery.k8s.io/v1 EndpointSlice"

    def message(self) -> str:
        """`v1 Endpoints is deprecated since Kubernetes 1.33: use discovery.k8s.io/v1 EndpointSlice`."""
        head = f"{self.api_version} {self.kind} is deprecated since Kubernetes {self.deprecated_in}"
        return f"{head}: use {self.replacement}" if self.replacement else f"{head}, with no replacement"


def _table() -> dict[tuple[str, str], tuple[str, str | None]]:
    out: dict[tuple[str, str], tuple[str, str | None]] = {}
    for release, api_version, kinds, replacement in _REMOVED:
        for kind in kinds.split():
            out[(api_version, kind)] = (release, replacement)
    return out


_BY_KIND = _table()
_DEPRECATED_BY_KIND = {(a, k): DeprecatedApi(a, k, r, rep) for r, a, k, rep in _DEPRECATED}


def removed(api_version: str, kind: str) -> RemovedApi | None:
    """The removal of apiVersion+kind (a `...List` kind as its item kind), or None when it was never removed."""
    entry = _BY_KIND.get((api_version, kind))
    if entry is None and kind.endswith("List"):
        kind = kind[: -len("List")]
        entry = _BY_KIND.get((api_version, kind))
    if entry is None:
        return None
    release, replacement = entry
    seen = {api_version}
    while replacement is not None and (replacement, kind) in _BY_KIND and replacement not in seen:
        seen.add(replacement)
        replacement = _BY_KIND[(replacement, kind)][1]
    return RemovedApi(api_version, kind, release, replacement)


def deprecated(api_version: str, kind: str) -> DeprecatedApi | None:
    """The deprecation of a kind still served (v1 Endpoints), or None."""
    return _DEPRECATED_BY_KIND.get((api_version, kind))


def removed_apis() -> list[RemovedApi]:
    """Every removal in the table, chains followed."""
    return [removed(api_version, kind) for api_version, kind in _BY_KIND]  # type: ignore[misc]
