"""How a Pod Security rule learns the policy of the namespace it judges (level and version).

Under CrossGuard a resource rule sees one object at a time, so the namespaces' labels reach it
as rule options, the same two on every Pod Security rule:

- `namespace_pod_security`: namespace -> {level, version}, the values of its Namespace's
  `pod-security.kubernetes.io/enforce` and `enforce-version` labels. The offline runner fills it
  from the Namespace objects of its input (they win over the configured entries); under Pulumi the
  stage's policy config carries the stage's own namespaces.
- `pod_security_version`: the version judged where a namespace declares none (`latest` or
  `v1.<minor>`): the stage's or the command line's setting.

A namespace with no entry is judged at the restricted level (the pack's default).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from kube.pod_security import KNOWN_VERSIONS, LATEST, PodSecurity, resolve, version_text
from kube.resources import namespace_or_default
from kube.workloads import PodTemplate, pod_template
from policies.framework import manifest_of

VERSION_OPTION = "pod_security_version"
NAMESPACES_OPTION = "namespace_pod_security"
_VERSIONS = f"latest or {version_text(KNOWN_VERSIONS[0])} to {version_text(KNOWN_VERSIONS[-1])}"

OPTIONS: dict[str, dict[str, Any]] = {
    VERSION_OPTION: {
        "type": "string",
        "default": LATEST,
        "pattern": r"^(latest|v1\.(0|[1-9][0-9]*))$",
        "description": (
            f"the Pod Security version ({_VERSIONS}) judged in a namespace whose Namespace sets no "
            "pod-security.kubernetes.io/enforce-version label"
        ),
    },
    NAMESPACES_OPTION: {
        "type": "object",
        "default": {},
        "additionalProperties": {
            "type": "object",
            "properties": {"level": {"type": "string"}, "version": {"type": "string"}},
            "additionalProperties": False,
        },
        "description": (
            "namespace -> {level, version}: its pod-security.kubernetes.io/enforce and enforce-version labels "
            "(the offline run adds the Namespace objects of its input); an absent namespace is restricted"
        ),
    },
}


def policy_of(args: Any, namespace: str) -> PodSecurity:
    """The level and version a namespace's pods are judged by."""
    config = args.get_config() if hasattr(args, "get_config") else None
    config = config if isinstance(config, Mapping) else {}
    declared = config.get(NAMESPACES_OPTION)
    entry = declared.get(namespace) if isinstance(declared, Mapping) else None
    entry = entry if isinstance(entry, Mapping) else {}
    default = config.get(VERSION_OPTION)
    return _resolved(
        _text(entry.get("level")), _text(entry.get("version")), _text(LATEST if default is None else default)
    )


def _text(value: Any) -> str | None:
    """A label value as the cache keys it: anything but a string is invalid whatever it is (repr keeps it so)."""
    return value if value is None or isinstance(value, str) else repr(value)


@lru_cache(maxsize=1024)
def _resolved(level: Any, version: Any, default: Any) -> PodSecurity:
    """resolve() of label values, once per distinct values: every rule asks it of every workload."""
    declared = {key: value for key, value in (("level", level), ("version", version)) if value is not None}
    return resolve(declared, default)


def judged(args: Any, level: str) -> tuple[Mapping[str, Any], PodTemplate, PodSecurity] | None:
    """The manifest, its pod template and its namespace's policy, when controls of `level` apply to it; else None
    (not a workload, or a namespace whose level is below the control's: privileged, or baseline for restricted)."""
    manifest = manifest_of(args)
    template = pod_template(manifest) if manifest else None
    if template is None:
        return None
    policy = policy_of(args, namespace_or_default(manifest))
    return (manifest, template, policy) if policy.enforces(level) else None


def with_declared(options: dict[str, Any], declared: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """A rule's options with the input's own Namespaces (namespace_policies) over the configured ones."""
    if NAMESPACES_OPTION not in options:
        return options
    configured = options.get(NAMESPACES_OPTION)
    return {**options, NAMESPACES_OPTION: {**(configured if isinstance(configured, Mapping) else {}), **declared}}
