"""Identity of a Kubernetes object (group, kind, namespace, name) and its Pulumi type token.

A cluster-scoped object has no namespace: the API server ignores a `metadata.namespace` on one
(a ClusterRole written with `namespace: monitoring` is the same ClusterRole as one without), so
its identity has namespace "". CLUSTER_SCOPED lists the built-in cluster-scoped kinds (what
`kubectl api-resources --namespaced=false` lists, and kinds since removed that manifests still
carry); a custom kind is cluster-scoped when its CustomResourceDefinition says `scope: Cluster`
(cluster_scoped_kinds reads that from the CRDs of an input).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# (API group, kind) of every built-in cluster-scoped kind of Kubernetes 1.37 (its API client's
# non-namespaced create operations), and PodSecurityPolicy (removed in 1.25).
CLUSTER_SCOPED: frozenset[tuple[str, str]] = frozenset(
    {
        ("", "ComponentStatus"),
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("apiregistration.k8s.io", "APIService"),
        ("authentication.k8s.io", "SelfSubjectReview"),
        ("authentication.k8s.io", "TokenReview"),
        ("authorization.k8s.io", "SelfSubjectAccessReview"),
        ("authorization.k8s.io", "SelfSubjectRulesReview"),
        ("authorization.k8s.io", "SubjectAccessReview"),
        ("certificates.k8s.io", "CertificateSigningRequest"),
        ("certificates.k8s.io", "ClusterTrustBundle"),
        ("extensions", "PodSecurityPolicy"),
        ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
        ("internal.apiserver.k8s.io", "StorageVersion"),
        ("networking.k8s.io", "IPAddress"),
        ("networking.k8s.io", "IngressClass"),
        ("networking.k8s.io", "ServiceCIDR"),
        ("node.k8s.io", "RuntimeClass"),
        ("policy", "PodSecurityPolicy"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("resource.k8s.io", "DeviceClass"),
        ("resource.k8s.io", "DeviceTaintRule"),
        ("resource.k8s.io", "ResourcePoolStatusRequest"),
        ("resource.k8s.io", "ResourceSlice"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("storage.k8s.io", "CSINode"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "VolumeAttachment"),
        ("storage.k8s.io", "VolumeAttributesClass"),
        ("storagemigration.k8s.io", "StorageVersionMigration"),
    }
)
CRD_GROUP = "apiextensions.k8s.io"


@dataclass(frozen=True, order=True)
class ResourceId:
    """What makes two manifests the same object: the API group, not its version, counts."""

    group: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


def split_api_version(api_version: str) -> tuple[str, str]:
    """("apps", "v1") for apps/v1; ("", "v1") for the core group's v1."""
    group, _, version = api_version.rpartition("/")
    return group, version


def cluster_scoped(api_version: Any, kind: Any, cluster_kinds: Collection[tuple[str, str]] = ()) -> bool:
    """Whether objects of this apiVersion and kind are cluster-scoped (False for anything not two strings)."""
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return False
    group = split_api_version(api_version)[0]
    return (group, kind) in CLUSTER_SCOPED or (group, kind) in cluster_kinds


def resource_id(manifest: Mapping[str, Any], cluster_kinds: Collection[tuple[str, str]] = ()) -> ResourceId:
    """The identity of a manifest; the namespace of a cluster-scoped one is "" whatever it says.

    cluster_kinds: (group, kind) of custom kinds known to be cluster-scoped (cluster_scoped_kinds
    of the input's CRDs), besides the built-in CLUSTER_SCOPED.
    """
    group, _ = split_api_version(manifest["apiVersion"])
    kind = manifest["kind"]
    meta = manifest.get("metadata") or {}
    scoped = cluster_scoped(manifest["apiVersion"], kind, cluster_kinds)
    return ResourceId(group, kind, "" if scoped else meta.get("namespace") or "", meta["name"])


def cluster_scoped_kinds(manifests: Iterable[Mapping[str, Any]]) -> frozenset[tuple[str, str]]:
    """(group, kind) of each custom kind a CustomResourceDefinition among the manifests declares `scope: Cluster`."""
    out = set()
    for manifest in manifests:
        if manifest.get("kind") != "CustomResourceDefinition" or not str(manifest.get("apiVersion", "")).startswith(
            f"{CRD_GROUP}/"
        ):
            continue
        spec = manifest.get("spec")
        names = spec.get("names") if isinstance(spec, Mapping) else None
        if isinstance(spec, Mapping) and spec.get("scope") == "Cluster" and isinstance(names, Mapping):
            if isinstance(spec.get("group"), str) and isinstance(names.get("kind"), str):
                out.add((spec["group"], names["kind"]))
    return frozenset(out)


def type_token(api_version: str, kind: str) -> str:
    """The Pulumi type token pulumi-kubernetes uses: kubernetes:apps/v1:Deployment, kubernetes:core/v1:Service."""
    group, version = split_api_version(api_version)
    return f"kubernetes:{group or 'core'}/{version}:{kind}"


def pulumi_name(manifest: Mapping[str, Any]) -> str:
    """The Pulumi resource name of a manifest: namespace/name, or name when cluster-scoped."""
    meta = manifest["metadata"]
    return f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else meta["name"]
