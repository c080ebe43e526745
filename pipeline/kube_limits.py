"""Kubernetes' own limits that its OpenAPI schemas do not state, as the API server applies them.

Each problem is (key path, message), reported by pipeline.kube_schema beside the schema's own:

- metadata.name by kind: a DNS-1035 label for a Service, a DNS-1123 label for a Namespace, a
  path segment (no '/', '%', '.' or '..') for RBAC kinds, PersistentVolumes and the other kinds
  Kubernetes names so, a DNS-1123 subdomain for every other kind, custom resources included;
  a CronJob's at most 52 characters (its Jobs append a suffix); no control character in any
- metadata.namespace: a DNS-1123 label
- labels (the object's and its pod template's): keys qualified names (`prefix/name`, the prefix
  a DNS-1123 subdomain, the name 63 characters at most), values 63 characters of the same alphabet
- annotations: keys qualified names, keys and values 256 KiB in all
- ConfigMap and Secret: keys of '-', '_', '.' and alphanumerics, binary data as base64, and
  at most 1 MiB (1048576 bytes) of data in all (decoded), as the API server refuses more

duplicates() finds two objects with one identity (API group, kind, namespace, name): the
second would silently replace the first when applied. No message shows a Secret's value.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from kube.identity import ResourceId, cluster_scoped_kinds, resource_id
from kube.names import DNS1035_LABEL, DNS1123_LABEL, DNS1123_SUBDOMAIN

MAX_DATA = 1024 * 1024
MAX_ANNOTATIONS = 256 * 1024
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_LABEL_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
_LABEL_RULE = "63 characters at most of letters, digits, '-', '_' and '.', starting and ending alphanumeric"
_DATA_KEY = re.compile(r"[-._a-zA-Z0-9]+\Z")
_PATH_SEGMENT_KINDS = frozenset(
    {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "PersistentVolume"}
    | {"CertificateSigningRequest", "FlowSchema", "PriorityLevelConfiguration"}
)
_TEMPLATES = (("spec", "template"), ("spec", "jobTemplate"), ("spec", "jobTemplate", "spec", "template"))
_SUBDOMAIN = (
    "a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending alphanumeric, 253 at most"
)
_RULES = {
    "Service": (
        DNS1035_LABEL,
        63,
        "a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, 63 at most",
    ),
    "Namespace": (DNS1123_LABEL, 63, "a DNS-1123 label: lower-case letters, digits and '-', 63 at most"),
    "CronJob": (DNS1123_SUBDOMAIN, 52, _SUBDOMAIN.replace("253", "52 (its Jobs add a suffix)")),
}

Problem = tuple[str, str]  # key path, message


def problems(manifest: Mapping[str, Any]) -> list[Problem]:
    """What the API server would refuse in one object that its schema lets through."""
    out = list(_names(manifest))
    metadata = manifest.get("metadata")
    if isinstance(metadata, Mapping):
        out += _labels(metadata.get("labels"), "metadata.labels")
        out += _annotations(metadata.get("annotations"))
    for path in _TEMPLATES:
        template = _at(manifest, path)
        if isinstance(template, Mapping) and isinstance(template.get("metadata"), Mapping):
            out += _labels(template["metadata"].get("labels"), ".".join(path) + ".metadata.labels")
    if manifest.get("kind") in ("ConfigMap", "Secret") and manifest.get("apiVersion") == "v1":
        out += _data(manifest)
    return out


def duplicates(manifests: Sequence[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """(index of the first, index of a later one) for each object whose identity came before.

    A cluster-scoped object's identity has no namespace, a custom kind's too when a CRD among the
    manifests says `scope: Cluster`: a copy that differs only in a namespace is the same object.
    """
    kinds = cluster_scoped_kinds(manifests)
    first: dict[ResourceId, int] = {}
    out = []
    for index, manifest in enumerate(manifests):
        identity = resource_id(manifest, kinds)
        if identity in first:
            out.append((first[identity], index))
        else:
            first[identity] = index
    return out


def shown(value: str) -> str:
    """A value in a message: quoted, escaped, at most 80 characters of it."""
    return repr(value[:80]) + ("..." if len(value) > 80 else "")


def _at(node: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _names(manifest: Mapping[str, Any]) -> Iterator[Problem]:
    metadata = manifest.get("metadata")
    if not isinstance(metadata, Mapping):
        return
    kind, name, namespace = manifest.get("kind"), metadata.get("name"), metadata.get("namespace")
    kind = kind if isinstance(kind, str) else ""
    if isinstance(name, str):
        control = _CONTROL.search(name)
        if control:
            yield "metadata.name", f"{shown(name)} holds a control character ({control[0]!r}): no name may"
        elif kind in _PATH_SEGMENT_KINDS:
            if name in (".", "..") or "/" in name or "%" in name:
                yield "metadata.name", f"{shown(name)} is not a valid {kind} name: a path segment, no '/' or '%'"
        else:
            pattern, longest, rule = _RULES.get(kind, (DNS1123_SUBDOMAIN, 253, _SUBDOMAIN))
            if len(name) > longest or not pattern.match(name):
                yield "metadata.name", f"{shown(name)} is not a valid {kind} name: {rule}"
    if isinstance(namespace, str) and namespace and (len(namespace) > 63 or not DNS1123_LABEL.match(namespace)):
        yield "metadata.namespace", f"{shown(namespace)} is not a valid namespace: {_RULES['Namespace'][2]}"


def _qualified_name(key: str) -> str | None:
    """Why key is no qualified name (label and annotation keys), or None when it is one."""
    prefix, _, name = key.rpartition("/")
    if "/" in key and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix)):
        return f"its prefix {shown(prefix)} must be {_SUBDOMAIN}"
    if len(name) > 63 or not _LABEL_NAME.match(name):
        return f"its name must be {_LABEL_RULE}"
    return None


def _labels(labels: Any, where: str) -> Iterator[Problem]:
    if not isinstance(labels, Mapping):
        return
    for key, value in labels.items():
        if not isinstance(key, str):
            continue
        why = _qualified_name(key)
        if why:
            yield f"{where}.{key}", f"{shown(key)} is not a valid label key: {why}"
        if isinstance(value, str) and value and (len(value) > 63 or not _LABEL_NAME.match(value)):
            yield f"{where}.{key}", f"{shown(value)} is not a valid label value: empty, or {_LABEL_RULE}"


def _annotations(annotations: Any) -> Iterator[Problem]:
    if not isinstance(annotations, Mapping):
        return
    total = 0
    for key, value in annotations.items():
        if not isinstance(key, str):
            continue
        why = _qualified_name(key)
        if why:
            yield f"metadata.annotations.{key}", f"{shown(key)} is not a valid annotation key: {why}"
        total += len(key.encode("utf-8", "replace")) + (
            len(value.encode("utf-8", "replace")) if isinstance(value, str) else 0
        )
    if total > MAX_ANNOTATIONS:
        yield (
            "metadata.annotations",
            f"{total} bytes of annotations in all: Kubernetes takes at most {MAX_ANNOTATIONS} (256 KiB)",
        )


def _data(manifest: Mapping[str, Any]) -> Iterator[Problem]:
    """ConfigMap data and binaryData, Secret data and stringData: keys, base64, and the 1 MiB in all."""
    kind = manifest["kind"]
    fields = ("data", "binaryData") if kind == "ConfigMap" else ("data", "stringData")
    sizes: dict[str, int] = {}
    for field in fields:
        entries = manifest.get(field)
        if not isinstance(entries, Mapping):
            continue
        encoded = field == "binaryData" or (kind == "Secret" and field == "data")
        for key, value in entries.items():
            if not isinstance(key, str) or not isinstance(value, str):
                continue  # the schema says what is wrong
            if len(key) > 253 or not _DATA_KEY.match(key) or key in (".", "..") or key.startswith(".."):
                yield f"{field}.{key}", f"{shown(key)} is not a valid key: '-', '_', '.' and alphanumerics, 253 at most"
            if kind == "ConfigMap" and key in sizes:
                yield f"{field}.{key}", "is in both data and binaryData: a key may be in one of them only"
            sizes[key] = _decoded_size(value) if encoded else len(value.encode("utf-8", "replace"))
            if sizes[key] < 0:
                yield f"{field}.{key}", f"is not valid base64: Kubernetes decodes {kind} {field} values as base64"
    total = sum(size for size in sizes.values() if size > 0)
    if total > MAX_DATA:
        yield (
            "data",
            f"{total} bytes of data in all: a {kind} holds at most {MAX_DATA} bytes (1 MiB), "
            "the API server refuses more",
        )


def _decoded_size(value: str) -> int:
    """The size of base64 text decoded (line breaks ignored, as Go's decoder does), or -1 when it is none."""
    try:
        return len(base64.b64decode(value.replace("\n", "").replace("\r", ""), validate=True))
    except (binascii.Error, ValueError):
        return -1
