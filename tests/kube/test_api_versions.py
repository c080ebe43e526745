"""Removed API versions are named with the release that removed them and their replacement.

The table's later part is checked against kubernetes-validate's schema sets: every kind one
release serves and a later one does not is in it, removed in the first release without it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from itertools import pairwise

import pytest

from kube.api_versions import deprecated, removed, removed_apis
from pipeline.kube_schema import check_manifests

RELEASES = [f"1.{minor}" for minor in range(25, 38)]


@pytest.mark.parametrize(
    ("api_version", "kind", "message"),
    [
        ("batch/v1beta1", "CronJob", "batch/v1beta1 CronJob was removed in Kubernetes 1.25: use batch/v1"),
        (
            "extensions/v1beta1",
            "Deployment",
            "extensions/v1beta1 Deployment was removed in Kubernetes 1.16: use apps/v1",
        ),
        ("apps/v1beta2", "StatefulSet", "apps/v1beta2 StatefulSet was removed in Kubernetes 1.16: use apps/v1"),
        (
            "extensions/v1beta1",
            "Ingress",
            "extensions/v1beta1 Ingress was removed in Kubernetes 1.22: use networking.k8s.io/v1",
        ),
        (
            "networking.k8s.io/v1beta1",
            "IngressClass",
            "networking.k8s.io/v1beta1 IngressClass was removed in Kubernetes 1.22: use networking.k8s.io/v1",
        ),
        (
            "rbac.authorization.k8s.io/v1beta1",
            "ClusterRoleBinding",
            "rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding was removed in Kubernetes 1.22: use rbac.authorization.k8s.io/v1",
        ),
        (
            "apiextensions.k8s.io/v1beta1",
            "CustomResourceDefinition",
            "apiextensions.k8s.io/v1beta1 CustomResourceDefinition was removed in Kubernetes 1.22: use apiextensions.k8s.io/v1",
        ),
        (
            "policy/v1beta1",
            "PodDisruptionBudget",
            "policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25: use policy/v1",
        ),
        (
            "autoscaling/v2beta2",
            "HorizontalPodAutoscaler",
            "autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26: use autoscaling/v2",
        ),
        (
            "storage.k8s.io/v1beta1",
            "CSIStorageCapacity",
            "storage.k8s.io/v1beta1 CSIStorageCapacity was removed in Kubernetes 1.27: use storage.k8s.io/v1",
        ),
        (
            "flowcontrol.apiserver.k8s.io/v1beta3",
            "FlowSchema",
            "flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema was removed in Kubernetes 1.32: use flowcontrol.apiserver.k8s.io/v1",
        ),
        # a replacement removed later is followed: v1beta1 pointed to v1beta2, itself gone in 1.29
        (
            "flowcontrol.apiserver.k8s.io/v1beta1",
            "PriorityLevelConfiguration",
            "flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration was removed in Kubernetes 1.26: use flowcontrol.apiserver.k8s.io/v1",
        ),
        (
            "policy/v1beta1",
            "PodSecurityPolicy",
            "policy/v1beta1 PodSecurityPolicy was removed in Kubernetes 1.25, with no replacement: use Pod Security Admission (pod-security.kubernetes.io/* labels on the namespace) or a third-party admission webhook",
        ),
        (
            "extensions/v1beta1",
            "PodSecurityPolicy",
            "extensions/v1beta1 PodSecurityPolicy was removed in Kubernetes 1.16, with no replacement: use Pod Security Admission (pod-security.kubernetes.io/* labels on the namespace) or a third-party admission webhook",
        ),
        (
            "resource.k8s.io/v1alpha2",
            "ResourceClass",
            "resource.k8s.io/v1alpha2 ResourceClass was removed in Kubernetes 1.31, with no replacement in the Kubernetes versions since",
        ),
        ("batch/v1beta1", "CronJobList", "batch/v1beta1 CronJob was removed in Kubernetes 1.25: use batch/v1"),
    ],
)
def test_a_removed_api_names_its_release_and_replacement(api_version, kind, message):
    assert removed(api_version, kind).message() == message
    manifest = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}
    (problem,) = check_manifests([manifest])
    assert (problem.path, problem.message, problem.not_validated) == ("apiVersion", message, False)


def test_a_served_api_is_not_removed_and_deprecations_are_named():
    assert removed("batch/v1", "CronJob") is None and removed("example.com/v1", "Widget") is None
    assert deprecated("v1", "Endpoints").message() == (
        "v1 Endpoints is deprecated since Kubernetes 1.33: use discovery.k8s.io/v1 EndpointSlice"
    )
    assert deprecated("discovery.k8s.io/v1", "EndpointSlice") is None


@cache
def _served(release: str) -> frozenset[tuple[str, str]]:
    """(apiVersion, kind) of every kind kubernetes-validate's schemas of a release hold."""
    folder = resources.files("kubernetes_validate").joinpath(f"kubernetes-json-schema/v{release}.0-local-strict")
    out = set()
    for entry in folder.iterdir():
        if entry.name.startswith("_") or not re.fullmatch(r"[a-z0-9]+-[-a-z0-9]+\.json", entry.name):
            continue
        properties = json.loads(entry.read_text(encoding="utf-8")).get("properties", {})
        api_version, kind = properties.get("apiVersion", {}).get("enum"), properties.get("kind", {}).get("enum")
        if api_version and kind and not kind[0].endswith("List"):
            out.add((api_version[0], kind[0]))
    return frozenset(out)


def test_every_kind_a_later_release_dropped_is_in_the_table_with_its_release():
    newest = _served(RELEASES[-1])
    for before, after in pairwise(RELEASES):
        for api_version, kind in _served(before) - _served(after) - newest:
            entry = removed(api_version, kind)
            assert entry is not None, f"{api_version} {kind} (gone in {after}) is not in kube.api_versions"
            assert entry.removed_in == after, (api_version, kind)


def test_every_replacement_is_served_by_the_newest_release_and_nothing_removed_is():
    newest = _served(RELEASES[-1])
    for entry in removed_apis():
        assert (entry.api_version, entry.kind) not in newest
        if entry.replacement is not None:
            assert (entry.replacement, entry.kind) in newest, entry
