"""secrets-from-external-secrets: every Secret a workload uses is created by an ExternalSecret beside it.

A pod that references a Secret nobody creates does not start (or, with `optional: true`, starts
without its credentials). Each Secret a pod template names (env valueFrom.secretKeyRef,
envFrom.secretRef, a secret volume, a projected volume's secret source) must be the target of an
ExternalSecret (external-secrets.io v1 or v1beta1) in the workload's namespace: its
spec.target.name, else its metadata.name. A key the pod reads (secretKeyRef.key, a volume's
items[].key) must be one the ExternalSecret provides (spec.data[].secretKey, or its template's
keys); an ExternalSecret using dataFrom or templateFrom may provide any key, so its keys are not
checked; one with creationPolicy None creates no Secret. `optional: true` does not excuse a
missing ExternalSecret.

PASS:
    ExternalSecret agent-platform-prod/redis-credentials  spec.data: [{secretKey: password, ...}]
    Deployment agent-platform-prod/task-service  env: [{name: REDIS_PASSWORD,
        valueFrom: {secretKeyRef: {name: redis-credentials, key: password}}}]

FAIL:
    Deployment agent-platform-prod/task-service  env: [{name: REDIS_PASSWORD,
        valueFrom: {secretKeyRef: {name: redis-credentials, key: passwd}}}]   # no such key
    Deployment agent-platform-prod/task-service  envFrom: [{secretRef: {name: smtp}}]   # no ExternalSecret
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kube.resources import containers_of, namespace_or_default, pod_of
from kube.workloads import is_list
from policies.framework import StackResource, Violation, of_kind, report, shown, stack_manifests

ID = "secrets-from-external-secrets"
DESCRIPTION = (
    "Every Secret a workload references is created by an ExternalSecret in its namespace, with the keys it reads."
)
REMEDIATION = (
    "Declare the Secret and each key the service reads under secrets.items in the stage file "
    "(it becomes an ExternalSecret), or correct the secret/key named in the service's secret_env."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "stack"
OPTIONS: dict = {}

EXTERNAL_SECRET_VERSIONS = ("external-secrets.io/v1", "external-secrets.io/v1beta1")


@dataclass(frozen=True)
class Reference:
    """A Secret (and maybe one key of it) that a pod template names, with the field that names it."""

    path: str  # the field holding the Secret's name
    secret: Any
    key_path: str | None = None
    key: Any = None


@dataclass
class Provided:
    """What the ExternalSecrets targeting one Secret provide: their titles and keys (None: any key)."""

    titles: list[str]
    keys: set[str] | None


def provided_keys(spec: Mapping[str, Any]) -> set[str] | None:
    """The keys an ExternalSecret's Secret holds, or None when dataFrom/templateFrom decide them."""
    if spec.get("dataFrom"):
        return None
    items = spec.get("data") if is_list(spec.get("data")) else []
    data = {
        d["secretKey"]
        for d in items
        if isinstance(d, Mapping) and isinstance(d.get("secretKey"), str) and d["secretKey"]
    }
    target = spec.get("target") if isinstance(spec.get("target"), Mapping) else {}
    template = target.get("template") if isinstance(target.get("template"), Mapping) else {}
    if template.get("templateFrom"):
        return None
    templated = set(template.get("data") or {}) if isinstance(template.get("data"), Mapping) else set()
    if not templated:
        return data
    return templated | data if template.get("mergePolicy") == "Merge" else templated


def external_secrets(resources: list[StackResource]) -> dict[tuple[str, str], Provided]:
    """(namespace, Secret name) -> what the ExternalSecrets creating that Secret provide."""
    found: dict[tuple[str, str], Provided] = {}
    for es in of_kind(resources, "ExternalSecret"):
        spec = es.manifest.get("spec")
        if es.manifest.get("apiVersion") not in EXTERNAL_SECRET_VERSIONS or not isinstance(spec, Mapping):
            continue
        target = spec.get("target") if isinstance(spec.get("target"), Mapping) else {}
        if target.get("creationPolicy") == "None":  # it never writes the Secret
            continue
        name = target.get("name") or (es.manifest.get("metadata") or {}).get("name")
        if not isinstance(name, str):
            continue
        entry = found.setdefault((namespace_or_default(es.manifest), name), Provided([], set()))
        entry.titles.append(es.title)
        keys = provided_keys(spec)
        entry.keys = None if keys is None or entry.keys is None else entry.keys | keys
    return found


def _mapping(node: Any, *keys: str) -> Mapping[str, Any]:
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node if isinstance(node, Mapping) else {}


def _items(node: Any) -> list[Mapping[str, Any]]:
    return [item for item in node if isinstance(item, Mapping)] if is_list(node) else []


def references(template) -> Iterator[Reference]:
    """Every Secret the pod template names, with the keys it reads."""
    for container in containers_of(template):
        for index, item in enumerate(_items(container.spec.get("env"))):
            ref = _mapping(item, "valueFrom", "secretKeyRef")
            if ref:
                path = f"{container.path}.env[{item.get('name') or index}].valueFrom.secretKeyRef"
                yield Reference(f"{path}.name", ref.get("name"), f"{path}.key", ref.get("key"))
        for index, item in enumerate(_items(container.spec.get("envFrom"))):
            ref = _mapping(item, "secretRef")
            if ref:
                yield Reference(f"{container.path}.envFrom[{index}].secretRef.name", ref.get("name"))
    for volume in _items(template.spec.get("volumes")):
        base = f"{template.path}.volumes[{volume.get('name') or '?'}]"
        secret = _mapping(volume, "secret")
        if secret:
            yield Reference(f"{base}.secret.secretName", secret.get("secretName"))
            for index, item in enumerate(_items(secret.get("items"))):
                yield Reference(
                    f"{base}.secret.secretName",
                    secret.get("secretName"),
                    f"{base}.secret.items[{index}].key",
                    item.get("key"),
                )
        for index, source in enumerate(_items(_mapping(volume, "projected").get("sources"))):
            secret = _mapping(source, "secret")
            if secret:
                where = f"{base}.projected.sources[{index}].secret"
                yield Reference(f"{where}.name", secret.get("name"))
                for item_index, item in enumerate(_items(secret.get("items"))):
                    yield Reference(
                        f"{where}.name", secret.get("name"), f"{where}.items[{item_index}].key", item.get("key")
                    )


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    created = external_secrets(resources)
    for workload in resources:
        template = pod_of(workload.manifest)
        if template is None:
            continue
        namespace = namespace_or_default(workload.manifest)
        reported: set[str] = set()
        for ref in references(template):
            provided = created.get((namespace, ref.secret)) if isinstance(ref.secret, str) else None
            if provided is None:
                if ref.path not in reported:
                    reported.add(ref.path)
                    observed = (
                        f"{shown(ref.secret)}, which no ExternalSecret in {namespace} creates"
                        if isinstance(ref.secret, str) and ref.secret
                        else "not set"
                    )
                    report(
                        report_violation,
                        Violation(
                            workload.title,
                            ref.path,
                            observed,
                            f"the target of an ExternalSecret in {namespace}",
                            workload.urn,
                        ),
                    )
            elif ref.key_path and provided.keys is not None and ref.key not in provided.keys:
                keys = ", ".join(sorted(provided.keys)) or "none"
                report(
                    report_violation,
                    Violation(
                        workload.title,
                        ref.key_path,
                        f"{shown(ref.key) if isinstance(ref.key, str) else 'not set'}, "
                        f"which {' and '.join(provided.titles)} does not provide (it provides: {keys})",
                        "a key the ExternalSecret provides (spec.data[].secretKey)",
                        workload.urn,
                    ),
                )
