"""kube.identity: a cluster-scoped object's identity has no namespace, whatever its manifest says."""

from __future__ import annotations

import pytest

from kube.identity import CLUSTER_SCOPED, ResourceId, cluster_scoped, cluster_scoped_kinds, resource_id

# The kinds issue 14 names, and what `kubectl api-resources --namespaced=false` lists for them.
CLUSTER_KINDS = [
    ("v1", "Namespace"),
    ("v1", "Node"),
    ("v1", "PersistentVolume"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("networking.k8s.io/v1", "IngressClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding"),
    ("apiregistration.k8s.io/v1", "APIService"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io/v1", "PriorityLevelConfiguration"),
    ("resource.k8s.io/v1", "DeviceClass"),
    ("policy/v1beta1", "PodSecurityPolicy"),  # removed in 1.25, still in old charts
]
NAMESPACED_KINDS = [
    ("v1", "ConfigMap"),
    ("v1", "Service"),
    ("apps/v1", "Deployment"),
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("networking.k8s.io/v1", "Ingress"),
    ("storage.k8s.io/v1", "CSIStorageCapacity"),
    ("resource.k8s.io/v1", "ResourceClaim"),
    ("policy/v1", "PodDisruptionBudget"),
]


def manifest(api_version: str, kind: str, namespace: str | None = "monitoring") -> dict:
    metadata = {"name": "x"} if namespace is None else {"name": "x", "namespace": namespace}
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata}


@pytest.mark.parametrize(("api_version", "kind"), CLUSTER_KINDS)
def test_a_cluster_scoped_kind_has_no_namespace_whatever_its_manifest_says(api_version, kind):
    with_namespace = resource_id(manifest(api_version, kind))
    assert with_namespace == resource_id(manifest(api_version, kind, None))
    assert with_namespace.namespace == ""
    assert str(with_namespace) == f"{kind} x"


@pytest.mark.parametrize(("api_version", "kind"), NAMESPACED_KINDS)
def test_a_namespaced_kind_keeps_its_namespace(api_version, kind):
    assert resource_id(manifest(api_version, kind)).namespace == "monitoring"
    assert str(resource_id(manifest(api_version, kind))) == f"{kind} monitoring/x"


def test_the_group_counts_not_only_the_kind():
    # A custom kind that happens to be called ClusterRole is namespaced unless its CRD says otherwise.
    assert resource_id(manifest("example.com/v1", "ClusterRole")).namespace == "monitoring"
    assert ("rbac.authorization.k8s.io", "ClusterRole") in CLUSTER_SCOPED


def crd(group: str, kind: str, scope: object, api_version: str = "apiextensions.k8s.io/v1") -> dict:
    return {
        "apiVersion": api_version,
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{kind.lower()}s.{group}"},
        "spec": {"group": group, "names": {"kind": kind, "plural": f"{kind.lower()}s"}, "scope": scope},
    }


def test_custom_kinds_are_cluster_scoped_when_their_crd_says_so():
    manifests = [
        crd("cert-manager.io", "ClusterIssuer", "Cluster"),
        crd("cert-manager.io", "Issuer", "Namespaced"),
        crd("example.com", "Old", "Cluster", api_version="apiextensions.k8s.io/v1beta1"),
        crd("example.com", "Odd", ["Cluster"]),  # not a scope: ignored
        crd("other.io", "NotACrd", "Cluster", api_version="example.com/v1"),  # not apiextensions' CRD
        {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "x"}},
        manifest("v1", "ConfigMap"),
    ]
    kinds = cluster_scoped_kinds(manifests)
    assert kinds == {("cert-manager.io", "ClusterIssuer"), ("example.com", "Old")}
    issuer = manifest("cert-manager.io/v1", "ClusterIssuer", "cert-manager")
    assert resource_id(issuer, kinds) == ResourceId("cert-manager.io", "ClusterIssuer", "", "x")
    assert resource_id(issuer).namespace == "cert-manager"  # without its CRD nothing says it is cluster-scoped
    assert resource_id(manifest("cert-manager.io/v1", "Issuer"), kinds).namespace == "monitoring"


def test_cluster_scoped_takes_any_value_a_manifest_may_hold():
    assert cluster_scoped("rbac.authorization.k8s.io/v1", "ClusterRole")
    assert not cluster_scoped("v1", "ConfigMap")
    assert cluster_scoped("cert-manager.io/v1", "ClusterIssuer", {("cert-manager.io", "ClusterIssuer")})
    assert not any(cluster_scoped(a, k) for a, k in [("v1", {"a": 1}), (["v1"], "Namespace"), (None, None)])
