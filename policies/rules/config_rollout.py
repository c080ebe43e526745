"""config-rollout: a workload that reads ConfigMaps rolls its pods when they change.

Pods read a ConfigMap once (env) or see it change late and unannounced (volumes), so a config
change reaches running pods only through a rollout. A Deployment, StatefulSet or DaemonSet whose
pod template uses a ConfigMap (a configMap volume, a projected configMap source, envFrom
configMapRef, env valueFrom.configMapKeyRef, in any container) carries the pod-template
annotation `checksum/config`. When every ConfigMap it uses is in the stack (same namespace), the
value must equal kube.checksum.config_checksum({name: data}) of them: a stale checksum means the
ConfigMap changed and the pods will not roll. A missing annotation and a stale one are told apart.

PASS:
    kind: Deployment
    spec:
      template:
        metadata: {annotations: {checksum/config: <config_checksum({agent-config: data})>}}
        spec: {volumes: [{name: config, configMap: {name: agent-config}}]}

FAIL:
    kind: Deployment
    spec:
      template:
        spec:                                 # no checksum/config annotation
          containers: [{name: agent, envFrom: [{configMapRef: {name: agent-config}}]}]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.checksum import CONFIG_CHECKSUM_ANNOTATION, config_checksum
from kube.network import indexed
from kube.workloads import PodTemplate, containers, mapping, namespace_of, pod_template
from policies.framework import Violation, of_kind, report, shown, stack_manifests

ID = "config-rollout"
DESCRIPTION = (
    "A workload that uses ConfigMaps carries a checksum/config pod annotation matching them, so changes roll its pods."
)
REMEDIATION = (
    "Re-render the stage (pipeline render): the generator sets checksum/config from the service's ConfigMap "
    "(release.config in the stage file); a hand-written workload needs the annotation set to "
    "kube.checksum.config_checksum of the ConfigMaps it uses."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "stack"
OPTIONS: dict = {}
KINDS = ("Deployment", "StatefulSet", "DaemonSet")


def config_map_names(template: PodTemplate) -> list[str]:
    """Every ConfigMap a pod template uses, in order of first use."""
    names: list[str] = []
    for _, volume in indexed(template.spec.get("volumes")):
        names.append(_name(volume.get("configMap")))
        projected = volume.get("projected")
        for _, source in indexed(projected.get("sources") if isinstance(projected, Mapping) else None):
            names.append(_name(source.get("configMap")))
    for container in containers(template):
        for _, source in indexed(container.spec.get("envFrom")):
            names.append(_name(source.get("configMapRef")))
        for _, variable in indexed(container.spec.get("env")):
            value_from = variable.get("valueFrom")
            names.append(_name(value_from.get("configMapKeyRef") if isinstance(value_from, Mapping) else None))
    return list(dict.fromkeys(name for name in names if name))


def _name(reference: Any) -> str:
    name = reference.get("name") if isinstance(reference, Mapping) else None
    return name if isinstance(name, str) else ""


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    config_maps = {
        (namespace_of(c.manifest), mapping(c.manifest.get("metadata")).get("name")): c.manifest
        for c in of_kind(resources, "ConfigMap")
    }
    for workload in of_kind(resources, *KINDS):
        template = pod_template(workload.manifest)
        names = config_map_names(template) if template else []
        if not names:
            continue
        used = f"ConfigMap{'s' if len(names) > 1 else ''} {', '.join(names)}"
        path = f"{template.path.rpartition('.')[0]}.metadata.annotations['{CONFIG_CHECKSUM_ANNOTATION}']"
        value = template.annotations.get(CONFIG_CHECKSUM_ANNOTATION)
        if not value:
            report(
                report_violation,
                Violation(
                    workload.title,
                    path,
                    f"missing (the pods use {used} and would not roll when "
                    f"{'they change' if len(names) > 1 else 'it changes'})",
                    f"the checksum of {used} (kube.checksum.config_checksum)",
                    workload.urn,
                ),
            )
            continue
        namespace = namespace_of(workload.manifest)
        found = [config_maps.get((namespace, name)) for name in names]
        if any(manifest is None for manifest in found):
            continue  # a ConfigMap outside the stack: only the annotation's presence can be checked
        expected = config_checksum({name: _data(manifest) for name, manifest in zip(names, found, strict=True)})
        if value != expected:
            report(
                report_violation,
                Violation(
                    workload.title,
                    path,
                    f"{_short(value)} (stale: {used} changed since it was computed)",
                    f"'{expected[:12]}…', the checksum of {used} as {'they are' if len(names) > 1 else 'it is'} now, "
                    "so the change rolls the pods",
                    workload.urn,
                ),
            )


def _data(manifest: Mapping[str, Any]) -> dict[str, Any]:
    data = manifest.get("data")
    return dict(data) if isinstance(data, Mapping) else {}


def _short(value: Any) -> str:
    return f"'{value[:12]}…'" if isinstance(value, str) and len(value) > 16 else shown(value)
