"""What every rule shares: the violation it reports, its options, the manifests it reads.

A rule reports through `report(report_violation, Violation(...))`. Under Pulumi that becomes
the CrossGuard message; the offline runner passes a callback that also records the structured
violation (resource, field path, observed value, expected bound) for JSON and SARIF.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kube.workloads import containers, is_list, mapping, namespace_of, pod_template, title

KUBERNETES_PREFIX = "kubernetes:"


@dataclass(frozen=True)
class Violation:
    """One breach of a rule: what, where (resource and field path), seen vs. expected."""

    resource: str  # Kind namespace/name
    path: str  # the field, as a Kubernetes user writes it; "" for the whole resource
    observed: str  # what is there, e.g. "false", "not set", "'latest'"
    expected: str  # the bound, phrased to follow "must be", e.g. "true", "at most 60 minutes (the RPO)"
    urn: str | None = None

    def message(self) -> str:
        """Deployment ns/app spec...runAsNonRoot: is false, must be true."""
        where = f"{self.resource} {self.path}".rstrip()
        return f"{where}: is {self.observed}, must be {self.expected}."


def report(report_violation: Callable[..., None], violation: Violation) -> None:
    """Report a violation to CrossGuard or to the offline runner (which keeps the structure)."""
    record = getattr(report_violation, "record", None)
    if record is not None:
        record(violation)
    else:
        report_violation(violation.message(), violation.urn)


def option(args: Any, name: str, default: Any) -> Any:
    """A rule option from the stage's policy config, else the rule's default.

    Pulumi hands config numbers over as floats (60.0): whole numbers come back as ints.
    """
    config = args.get_config() if hasattr(args, "get_config") else {}
    value = (config or {}).get(name)
    if value is None:
        return default
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if is_list(value):
        return [int(v) if isinstance(v, float) and v.is_integer() else v for v in value]
    return value


def is_kubernetes(resource_type: str) -> bool:
    return resource_type.startswith(KUBERNETES_PREFIX)


def manifest_of(args: Any) -> Mapping[str, Any] | None:
    """The Kubernetes manifest a resource rule is looking at, or None for other resources."""
    props = args.props
    # type() first: every rule asks this of every resource, and a dict needs no ABC check.
    if not args.resource_type.startswith(KUBERNETES_PREFIX) or not (type(props) is dict or isinstance(props, Mapping)):
        return None
    return props


@dataclass(frozen=True)
class StackResource:
    """A Kubernetes manifest of the stack and its URN (to point violations at it)."""

    manifest: Mapping[str, Any]
    urn: str

    @property
    def kind(self) -> str:
        return self.manifest.get("kind", "")

    @property
    def title(self) -> str:
        return title(self.manifest)


def stack_manifests(args: Any) -> list[StackResource]:
    """Every Kubernetes manifest a stack rule sees."""
    return [
        StackResource(r.props, r.urn)
        for r in args.resources
        if r.resource_type.startswith(KUBERNETES_PREFIX)
        and (type(r.props) is dict or isinstance(r.props, Mapping))
        and "kind" in r.props
    ]


def of_kind(resources: list[StackResource], *kinds: str) -> Iterator[StackResource]:
    return (r for r in resources if r.kind in kinds)


def by_namespace(
    resources: Iterable[StackResource], namespace: Callable[[Mapping[str, Any]], str] = namespace_of
) -> dict[str, list[StackResource]]:
    """Resources by namespace, each list in the resources' order.

    A rule pairing a workload with objects that only count in its own namespace (its HPA, its
    PDBs, its NetworkPolicies) looks them up here instead of scanning the whole stack, so a
    fleet of thousands of namespaces costs linear time, not quadratic.
    """
    out: dict[str, list[StackResource]] = {}
    for resource in resources:
        out.setdefault(namespace(resource.manifest), []).append(resource)
    return out


def shown(value: Any) -> str:
    """A value as it reads in YAML (true, 3, "latest"); Pulumi's floats shown as integers."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return repr(value) if value else "''"
    if is_list(value):  # a list, or pulumi_policy's read-only proxy of one
        return "[" + ", ".join(shown(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {shown(item)}" for key, item in value.items()) + "}"
    return str(value)


def list_item(value: Mapping[str, Any], index: int, key: str = "name") -> str:
    """How a list item reads in a field path: [its name], else [its index]."""
    name = value.get(key) if isinstance(value, Mapping) else None
    return f"[{name}]" if isinstance(name, str) and name else f"[{index}]"


def is_windows(spec: Mapping[str, Any]) -> bool:
    """A Windows pod (spec.os.name: windows), which some restricted controls exempt."""
    return mapping(spec.get("os")).get("name") == "windows"


def check_container_security(
    args: Any,
    report_violation: Callable[..., None],
    field: str,
    allowed: Callable[[Any], bool],
    expected: str,
    exempt_windows: bool = False,
) -> None:
    """Report every container (init and ephemeral included) whose securityContext.<field> is not allowed."""
    manifest = manifest_of(args)
    template = pod_template(manifest) if manifest else None
    if template is None or (exempt_windows and is_windows(template.spec)):
        return
    resource = title(manifest)
    for container in containers(template):
        value = mapping(container.spec.get("securityContext")).get(field)
        if not allowed(value):
            report(
                report_violation,
                Violation(
                    resource,
                    f"{container.path}.securityContext.{field}",
                    shown(value),
                    expected,
                    getattr(args, "urn", None),
                ),
            )
