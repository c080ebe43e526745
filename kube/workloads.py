"""Reading workloads out of manifests: pod templates, containers with their paths, selectors.

Every kind that carries a pod template is covered, so a rule written once checks Pods,
Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs, CronJobs and
PodTemplates alike, init and ephemeral containers included.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kube.identity import cluster_scoped

# kind -> path of the pod spec inside the manifest
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
SCALABLE_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")


@dataclass(frozen=True)
class PodTemplate:
    """A pod spec found in a manifest, with the dotted path to it and the pod's labels."""

    path: str  # e.g. spec.template.spec
    spec: Mapping[str, Any]
    labels: Mapping[str, str]
    annotations: Mapping[str, str]


@dataclass(frozen=True)
class Container:
    """One container of a pod spec and the path a person would write to it."""

    path: str  # e.g. spec.template.spec.containers[agent]
    list_name: str  # containers | initContainers | ephemeralContainers
    spec: Mapping[str, Any]

    @property
    def name(self) -> str:
        return self.spec.get("name", "")


def mapping(value: Any) -> Mapping[str, Any]:
    """value if it is a mapping, else {}: rules read odd user YAML without crashing."""
    return value if isinstance(value, Mapping) else {}


def is_list(value: Any) -> bool:
    """A YAML list: a list here, a Sequence proxy under pulumi_policy, never a string."""
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def items(value: Any) -> list[Mapping[str, Any]]:
    """The mappings of a list field, skipping anything else."""
    return [item for item in value if isinstance(item, Mapping)] if is_list(value) else []


def title(manifest: Mapping[str, Any]) -> str:
    """Kind namespace/name: how a resource is named to people (a cluster-scoped one without the
    namespace its manifest may carry, which the API server ignores)."""
    meta = mapping(manifest.get("metadata"))
    scoped = cluster_scoped(manifest.get("apiVersion"), manifest.get("kind"))
    where = f"{meta['namespace']}/" if meta.get("namespace") and not scoped else ""
    return f"{manifest.get('kind', '?')} {where}{meta.get('name', '?')}"


def pod_template(manifest: Mapping[str, Any]) -> PodTemplate | None:
    """The pod spec of a workload manifest, or None for kinds without one."""
    keys = POD_SPEC_PATHS.get(manifest.get("kind", ""))
    if keys is None:
        return None
    node: Any = manifest
    parent: Any = manifest
    for key in keys:
        parent, node = node, node.get(key) if isinstance(node, Mapping) else None
        if not isinstance(node, Mapping):
            return None
    # The pod's metadata sits beside its spec (a Pod's is the manifest's own).
    meta = mapping(parent.get("metadata"))
    labels = {k: v for k, v in mapping(meta.get("labels")).items() if isinstance(v, str)}
    annotations = {k: v for k, v in mapping(meta.get("annotations")).items() if isinstance(v, str)}
    return PodTemplate(".".join(keys), node, labels, annotations)


def containers(template: PodTemplate) -> Iterator[Container]:
    """Every container of the pod (init, regular and ephemeral), named in its path."""
    for list_name in CONTAINER_LISTS:
        for index, container in enumerate(items(template.spec.get(list_name))):
            name = container.get("name")
            label = name if isinstance(name, str) and name else index
            yield Container(f"{template.path}.{list_name}[{label}]", list_name, container)


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Whether a LabelSelector (matchLabels and matchExpressions) selects labels; {} selects all."""
    if not isinstance(selector, Mapping):
        return False
    for key, value in mapping(selector.get("matchLabels")).items():
        if labels.get(key) != value:
            return False
    for expression in items(selector.get("matchExpressions")):
        key, operator = expression.get("key"), expression.get("operator")
        values = list(expression.get("values")) if is_list(expression.get("values")) else []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def namespace_of(manifest: Mapping[str, Any]) -> str:
    """The namespace a namespaced manifest lives in ("" when unset or cluster-scoped)."""
    namespace = mapping(manifest.get("metadata")).get("namespace")
    return namespace if isinstance(namespace, str) else ""


def number(value: Any) -> float | int | None:
    """A manifest number as Python sees it; Pulumi delivers every number as a float (3.0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if float(value).is_integer() else value
