"""Checks a schema cannot express: bounds that relate, names that refer, values that parse.

Runs on the merged, schema-valid stage document. Each check returns located Problems; the
loader collects them all before failing, so a user sees every mistake at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from kube.cron import InvalidSchedule, check_schedule
from kube.images import InvalidImage, parse_image
from kube.names import is_dns1123_label
from kube.quantity import InvalidQuantity, parse_quantity
from model.environment import tenant_namespace
from model.errors import Problem
from model.limits import MAX_SERVICE_INSTANCES
from model.merge import deep_merge
from model.source import KeyPath, SourceMap, format_path

SERVICE_FAMILIES: tuple[KeyPath, ...] = ((), ("training",))  # where `services` + `service_defaults` live
LARGEST_QUANTITY = Decimal(2**63 - 1)
SMALLEST_QUANTITY = Decimal("0.001")


class _Checker:
    def __init__(self, data: dict, source: SourceMap):
        self.data = data
        self.source = source
        self.problems: list[Problem] = []

    def report(self, path: KeyPath, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.source.locate(path), format_path(path), message, hint))

    def setting(self, candidates: list[KeyPath]) -> tuple[KeyPath, Any]:
        """The first candidate path that is set, and its value (service first, then defaults)."""
        for path in candidates:
            value = _get(self.data, path)
            if value is not None:
                return path, value
        return candidates[0], None


def semantic_problems(data: dict, source: SourceMap, stage: str) -> list[Problem]:
    """Every semantic problem of a merged, schema-valid stage document."""
    checker = _Checker(data, source)
    if _check_fleet_size(checker):  # every check below walks each instance: stop before the walk
        return checker.problems
    names = _check_services(checker)
    _check_release(checker, names)
    _check_databases(checker)
    _check_quantities(checker)
    _check_namespace_names(checker, stage)
    _check_backup(checker)
    _check_tenants(checker, stage)
    _check_availability(checker)
    # A platform service's mistake reaches every tenant instance of it: report it once.
    return list(dict.fromkeys(checker.problems))


def effective_services(data: dict) -> dict[KeyPath, dict[str, dict]]:
    """Per family (platform, training): each service's settings laid over its service_defaults.

    The training platform's service_defaults layer over the stage's own, so a stage-wide
    setting (a VPA, say) reaches every service unless the training block says otherwise.
    """
    out = {}
    defaults: dict = {}
    for family in SERVICE_FAMILIES:
        block = _get(data, family) or {}
        defaults = deep_merge(defaults, block.get("service_defaults", {}))
        out[family] = {
            name: deep_merge(defaults, settings or {}) for name, settings in block.get("services", {}).items()
        }
    return out


def effective_tenants(data: dict) -> dict[str, dict]:
    """Each tenant's entry laid over its plan; a service set to null is dropped."""
    plans = data.get("plans") or {}
    out = {}
    for name, entry in (data.get("tenants") or {}).items():
        merged = deep_merge(plans.get(entry.get("plan"), {}), entry)
        merged["services"] = {key: value for key, value in (merged.get("services") or {}).items() if value is not None}
        out[name] = merged
    return out


def tenant_service_settings(data: dict, tenant: dict) -> dict[str, dict]:
    """A tenant's services: the stage's settings of each service with the plan's and tenant's sizing laid over."""
    platform = effective_services(data)[()]
    return {
        name: deep_merge(platform[name], sizing)
        for name, sizing in tenant.get("services", {}).items()
        if name in platform
    }


def _check_fleet_size(c: _Checker) -> bool:
    """Whether the stage runs more service instances than MAX_SERVICE_INSTANCES (reported if so)."""
    families = {family: len((_get(c.data, family) or {}).get("services") or {}) for family in SERVICE_FAMILIES}
    platform = set(c.data.get("services") or {})
    tenants = effective_tenants(c.data)
    tenant_instances = sum(len(set(tenant["services"]) & platform) for tenant in tenants.values())
    total = sum(families.values()) + tenant_instances
    if total <= MAX_SERVICE_INSTANCES:
        return False
    c.report(
        ("tenants",) if tenant_instances else ("services",),
        f"the stage runs {total:,} service instances ({tenant_instances:,} of them in {len(tenants):,} tenants); "
        f"a stage runs at most {MAX_SERVICE_INSTANCES:,}",
        "the fleet benchmark stops at 1,000 tenant services; spread tenants over more stages (clusters)",
    )
    return True


def _check_services(c: _Checker) -> set[str]:
    seen: dict[str, KeyPath] = {}
    targets = set(_get(c.data, ("network", "egress_targets")) or {})
    secrets = _get(c.data, ("secrets", "items")) or {}
    for family, services in effective_services(c.data).items():
        for name, service in services.items():
            here = family + ("services", name)
            if name in seen:
                first = c.source.locate(seen[name])
                c.report(
                    here,
                    f"service {name!r} is already defined at {format_path(seen[name])}",
                    (f"it is set at {first}; " if first else "")
                    + "service names are unique across the agent and training platforms (images are keyed by name)",
                )
            seen[name] = here

            def where(*keys: str, here: KeyPath = here, family: KeyPath = family) -> KeyPath:
                candidates = [here + keys, family + ("service_defaults",) + keys, ("service_defaults",) + keys]
                return c.setting(candidates)[0]

            if "component" not in service:
                c.report(
                    here, "missing required key 'component'", "name the part of the platform it is, e.g. agent-runtime"
                )
            _check_replicas(c, service, where)
            if "stopped" in service and (
                service.get("replicas") != 0 or (service.get("autoscaling") or {}).get("enabled")
            ):
                c.report(
                    where("stopped"),
                    "the service is marked stopped but still runs pods",
                    "use `pipeline start` (or set replicas: 0 and autoscaling.enabled: false)",
                )
            _check_resources(c, service, where)
            _check_pdb(c, service, where)
            for index, target in enumerate(service.get("egress", [])):
                if target not in targets:
                    c.report(
                        where("egress") + (index,),
                        f"unknown egress target {target!r}",
                        f"declare it under network.egress_targets (known: {', '.join(sorted(targets))})",
                    )
            for index, callee in enumerate(service.get("calls", [])):
                if callee not in services:
                    c.report(
                        where("calls") + (index,),
                        f"calls {callee!r}, which is not a service of this namespace",
                        f"known: {', '.join(sorted(services))}",
                    )
                elif callee == name:
                    c.report(where("calls") + (index,), "a service does not need to call itself")
            for variable, ref in service.get("secret_env", {}).items():
                keys = secrets.get(ref["secret"])
                if keys is None:
                    c.report(
                        where("secret_env", variable, "secret"),
                        f"unknown secret {ref['secret']!r}",
                        f"declare it under secrets.items (known: {', '.join(sorted(secrets))})",
                    )
                elif ref["key"] not in keys:
                    c.report(
                        where("secret_env", variable, "key"),
                        f"secret {ref['secret']!r} has no key {ref['key']!r}",
                        f"its keys: {', '.join(sorted(keys))}",
                    )
    return set(seen)


def _check_replicas(c: _Checker, service: dict, where) -> None:
    scaling = service.get("autoscaling") or {}
    if scaling.get("enabled", False):
        low, high = scaling.get("min_replicas"), scaling.get("max_replicas")
        if low is None or high is None:
            missing = "min_replicas" if low is None else "max_replicas"
            c.report(
                where("autoscaling"),
                f"autoscaling is enabled but {missing} is not set",
                "set autoscaling.min_replicas and autoscaling.max_replicas, or autoscaling.enabled: false",
            )
        elif low > high:
            c.report(
                where("autoscaling", "min_replicas"),
                f"min_replicas {low} is above max_replicas {high}",
                "min_replicas must be <= max_replicas",
            )
        elif low < 1:
            c.report(
                where("autoscaling", "min_replicas"),
                "is 0; an HPA needs min_replicas >= 1",
                "use pipeline stop to scale a service to zero",
            )
        for key in ("cpu_utilization", "memory_utilization", "behavior"):
            if scaling.get(key) is None:
                c.report(
                    where("autoscaling"),
                    f"autoscaling is enabled but {key} is not set",
                    "set it here or under service_defaults.autoscaling",
                )
    elif service.get("replicas") is None:
        c.report(where("replicas"), "neither replicas nor autoscaling is set", "set replicas, or enable autoscaling")


def _check_resources(c: _Checker, service: dict, where) -> None:
    resources = service.get("resources") or {}
    for side in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            if (resources.get(side) or {}).get(resource) is None:
                c.report(
                    where("resources", side),
                    f"no {resource} {side}",
                    "every container needs CPU and memory requests and limits; set them here or in service_defaults",
                )
    for resource in ("cpu", "memory", "ephemeral-storage"):
        request = (resources.get("requests") or {}).get(resource)
        limit = (resources.get("limits") or {}).get(resource)
        if request is not None and limit is not None and _value(request) is not None and _value(limit) is not None:
            if _value(request) > _value(limit):
                c.report(
                    where("resources", "requests", resource),
                    f"request {_plain(request)} is above the limit {_plain(limit)}",
                    "the API server rejects a request above its limit; raise the limit or lower the request",
                )
    vpa = service.get("vpa") or {}
    low, high = (vpa.get("min_allowed") or {}), (vpa.get("max_allowed") or {})
    for resource in ("cpu", "memory"):
        least, most = _value(low.get(resource)), _value(high.get(resource))  # None: unset or not a quantity
        if least is not None and most is not None and least > most:
            c.report(
                where("vpa", "min_allowed", resource),
                f"{_plain(low[resource])} is above max_allowed {_plain(high[resource])}",
            )


def _check_pdb(c: _Checker, service: dict, where) -> None:
    pdb = service.get("pdb")
    if not pdb or not pdb.get("enabled", True):
        return
    given = [key for key in ("min_available", "max_unavailable") if pdb.get(key) is not None]
    if len(given) != 1:
        c.report(
            where("pdb"),
            "a PodDisruptionBudget takes exactly one of min_available and max_unavailable",
            "set one, or pdb.enabled: false",
        )
        return
    value = pdb[given[0]]
    if isinstance(value, str) and not (value.endswith("%") and value[:-1].isdigit() and int(value[:-1]) <= 100):
        c.report(where("pdb", given[0]), f"{_shown(value)} is neither a count nor a percentage", 'write 2 or "50%"')


def _check_release(c: _Checker, service_names: set[str]) -> None:
    images = _get(c.data, ("release", "images")) or {}
    for name in sorted(service_names - set(images)):
        c.report(("release", "images"), f"no image for service {name!r}", f"add release.images.{name}")
    for name in sorted(set(images) - service_names):
        c.report(
            ("release", "images", name),
            f"image for {name!r}, which is not a service of this stage",
            "remove it, or declare the service",
        )
    for name, reference in images.items():
        try:
            parse_image(reference)
        except InvalidImage as error:
            c.report(
                ("release", "images", name), str(error), "e.g. registry.example.com/team/app:1.2.3@sha256:<64 hex>"
            )
    for section in _get(c.data, ("release", "config")) or {}:
        if section != "common" and section not in service_names:
            c.report(
                ("release", "config", section),
                f"config for {section!r}, which is not a service",
                "use 'common' for settings every service reads, or a service name",
            )
    backup_image = _get(c.data, ("backup", "image"))
    if backup_image is not None:
        try:
            parse_image(backup_image)
        except InvalidImage as error:
            c.report(("backup", "image"), str(error))


def _check_databases(c: _Checker) -> None:
    owners: dict[str, str] = {}
    for family, services in effective_services(c.data).items():
        for name, service in services.items():
            database = service.get("database")
            if database and database in owners:
                c.report(
                    family + ("services", name, "database"),
                    f"database {database!r} already belongs to {owners[database]}",
                    "one database per service",
                )
            elif database:
                owners[database] = name


def _check_quantities(c: _Checker) -> None:
    """Quantities the schema's pattern admitted must also have a value Kubernetes holds.

    A resource quantity is never negative, at most 2^63-1 and, when not zero, at least 1m:
    k8s.io/apimachinery caps larger values and rounds finer ones up ("0.1m will be rounded up
    to 1m"); a 1n request under a limit of 2^63-1 would also be a ratio no report can print.
    """
    for path, value in _walk(c.data, ()):
        if not _is_quantity_path(path):
            continue
        try:
            amount = parse_quantity(value)
        except (InvalidQuantity, ArithmeticError, ValueError):
            c.report(path, f"{_shown(value)} is not a Kubernetes quantity", "e.g. 500m, 2, 512Mi or 4Gi")
            continue
        if amount < 0:
            c.report(path, f"{_shown(value)} is negative", "a resource quantity is 0 or more, e.g. 500m or 512Mi")
        elif amount > LARGEST_QUANTITY:
            c.report(
                path,
                f"{_shown(value)} is larger than any Kubernetes quantity (at most 2^63-1)",
                "e.g. 500m, 2, 512Mi or 4Gi",
            )
        elif 0 < amount < SMALLEST_QUANTITY:
            c.report(
                path,
                f"{_shown(value)} is below 1m, the smallest Kubernetes quantity (Kubernetes rounds it up to 1m)",
                "e.g. 500m, 2, 512Mi or 4Gi",
            )


def _shown(value: Any) -> str:
    """A value as a message quotes it (repr), shortened when long."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}... ({len(str(value)):,} characters)"


def _plain(value: Any) -> str:
    """A value as a message writes it (str), shortened when long."""
    text = str(value)
    return text if len(text) <= 60 else f"{text[:40]}... ({len(text):,} characters)"


def _check_namespace_names(c: _Checker, stage: str) -> None:
    for path in (("platform", "namespace_prefix"), ("training", "namespace_prefix")):
        prefix = _get(c.data, path)
        if prefix and not is_dns1123_label(f"{prefix}-{stage}"):
            c.report(
                path,
                f"namespace {prefix}-{stage!s} is not a valid namespace name",
                "a namespace is a DNS-1123 label of at most 63 characters",
            )


def _check_backup(c: _Checker) -> None:
    schedule = _get(c.data, ("backup", "schedule"))
    if schedule is None:
        return
    try:
        check_schedule(schedule)
    except InvalidSchedule as error:
        c.report(
            ("backup", "schedule"),
            f"{_shown(schedule)}: {error}",
            "write five fields: minute hour day-of-month month day-of-week, e.g. '*/30 * * * *', or @hourly",
        )


def _check_tenants(c: _Checker, stage: str) -> None:
    plans = _get(c.data, ("plans",)) or {}
    platform = set(effective_services(c.data)[()])
    prefix = _get(c.data, ("tenancy", "namespace_prefix"))
    for name, plan in plans.items():
        for service in plan.get("services") or {}:
            if service not in platform:
                c.report(
                    ("plans", name, "services", service),
                    f"{service!r} is not a service of the agent platform",
                    f"a tenant runs its own instances of agent-platform services: {', '.join(sorted(platform))}",
                )
    for name, tenant in effective_tenants(c.data).items():
        here = ("tenants", name)
        if tenant.get("plan") not in plans:
            c.report(
                here + ("plan",), f"unknown plan {tenant.get('plan')!r}", f"known plans: {', '.join(sorted(plans))}"
            )
            continue
        if prefix and not is_dns1123_label(tenant_namespace(prefix, name, stage)):
            c.report(
                here,
                f"namespace {tenant_namespace(prefix, name, stage)} is not a valid namespace name",
                "a namespace is a DNS-1123 label of at most 63 characters: shorten the tenant's name",
            )
        for service in _get(c.data, here + ("services",)) or {}:
            if service not in platform:
                c.report(
                    here + ("services", service),
                    f"{service!r} is not a service of the agent platform",
                    f"known: {', '.join(sorted(platform))}",
                )
        if tenant["services"] and not tenant.get("quota"):
            c.report(
                here,
                "the tenant runs services but has no quota",
                f"set plans.{tenant['plan']}.quota, or quota under the tenant",
            )
        for service, settings in tenant_service_settings(c.data, tenant).items():

            def where(*keys: str, here: KeyPath = here, service: str = service, plan: str = tenant["plan"]) -> KeyPath:
                candidates = [
                    here + ("services", service) + keys,
                    ("plans", plan, "services", service) + keys,
                    ("services", service) + keys,
                    ("service_defaults",) + keys,
                ]
                return c.setting(candidates)[0]

            _check_replicas(c, settings, where)
            _check_resources(c, settings, where)
            _check_pdb(c, settings, where)


def _check_availability(c: _Checker) -> None:
    availability = _get(c.data, ("availability",)) or {}
    if availability.get("zone_spread", "none") != "none" and not availability.get("zones"):
        c.report(
            ("availability", "zones"),
            "zone_spread is on but no zones are listed",
            "list the availability zones the stage's nodes run in",
        )


QUANTITY_PARENTS = {
    "requests",
    "limits",
    "min_allowed",
    "max_allowed",
    "default",
    "default_request",
    "min",
    "max",
    "max_limit_request_ratio",
    "quota",
}
QUANTITY_KEYS = {"tmp_size", "storage_size", "average_value"}


def _is_quantity_path(path: KeyPath) -> bool:
    # Application config (release) and literal env values are free-form, never quantities.
    if not path or isinstance(path[-1], int) or path[0] == "release" or "env" in path:
        return False
    return path[-1] in QUANTITY_KEYS or (len(path) > 1 and path[-2] in QUANTITY_PARENTS)


def _walk(data: Any, path: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, path + (index,))
    else:
        yield path, data


def _value(quantity: Any) -> Decimal | None:
    if quantity is None:
        return None
    try:
        return parse_quantity(quantity)
    except (InvalidQuantity, ArithmeticError, ValueError):
        return None


def _get(data: Any, path: KeyPath) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data
