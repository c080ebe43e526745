"""Reading workloads out of manifests: pod templates, containers with their paths, selectors.

Every kind that carries a pod template is covered, so a rule written once checks Pods,
Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs, CronJobs and
PodTemplates alike, init and ephemeral containers included.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping

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


def title(manifest: Mapping[str, Any]) -> str:
    """Kind namespace/name: how a resource is named to people."""
    meta = manifest.get("metadata") or {}
    where = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{manifest.get('kind', '?')} {where}{meta.get('name', '?')}"


def pod_template(manifest: Mapping[str, Any]) -> PodTemplate | None:
    """The pod spec of a workload manifest, or None for kinds without one."""
    keys = POD_SPEC_PATHS.get(manifest.get("kind", ""))
    if keys is None:
        return None
    node: Any = manifest
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
        if node is None:
            return None
    # The pod's metadata sits beside its spec (a Pod's is the manifest's own).
    parent: Any = manifest
    for key in keys[:-1]:
        parent = parent.get(key, {})
    meta = (manifest if len(keys) == 1 else parent).get("metadata") or {}
    return PodTemplate(".".join(keys), node, meta.get("labels") or {}, meta.get("annotations") or {})


def containers(template: PodTemplate) -> Iterator[Container]:
    """Every container of the pod (init, regular and ephemeral), named in its path."""
    for list_name in CONTAINER_LISTS:
        for index, container in enumerate(template.spec.get(list_name) or []):
            label = container.get("name") or index
            yield Container(f"{template.path}.{list_name}[{label}]", list_name, container)


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Whether a LabelSelector (matchLabels and matchExpressions) selects labels; {} selects all."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
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
    return (manifest.get("metadata") or {}).get("namespace") or ""


def number(value: Any) -> float | int | None:
    """A manifest number as Python sees it; Pulumi delivers every number as a float (3.0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if float(value).is_integer() else value
