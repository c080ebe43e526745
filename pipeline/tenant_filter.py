"""`--tenant T`: which resources belong to which dedicated tenant, and narrowing to some tenants.

Tenancy comes from the tenant label on Namespace objects (kube.tenancy), never from names: a
namespaced resource belongs to its namespace's tenant, a tenant's Namespace object to that
tenant, everything else (shared namespaces, other cluster-scoped objects) to the shared platform
(None). A stage is always rendered and judged whole; a filter only narrows what is reported or
written to the resources of the named tenants.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from kube.identity import ResourceId, resource_id
from kube.tenancy import tenant_namespaces
from model.errors import InputError, Problem

SHARED = "shared platform"  # how reports name the resources of no tenant
HINT_LIMIT = 8  # known tenants named in an unknown tenant's hint


def add_tenant_option(parser: argparse.ArgumentParser, narrows: str) -> None:
    """--tenant T (repeatable) on a command; narrows: what the filter narrows, for the help."""
    parser.add_argument(
        "--tenant",
        action="append",
        metavar="T",
        help=f"only the resources of dedicated tenant T (repeatable): {narrows}; "
        "the stage is still rendered and judged whole",
    )


def tenancy(*sides: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """namespace -> tenant over the manifests of one stage (for a diff: base, then head; the head wins)."""
    out: dict[str, str] = {}
    for manifests in sides:
        out.update(tenant_namespaces(manifests))
    return out


def tenant_of_resource(rid: ResourceId, tenants: Mapping[str, str]) -> str | None:
    """The tenant a resource belongs to, or None for the shared platform."""
    if rid.namespace:
        return tenants.get(rid.namespace)
    if rid.kind == "Namespace" and rid.group == "":
        return tenants.get(rid.name)
    return None


def select(
    manifests: Iterable[dict[str, Any]], tenants: Mapping[str, str], selected: Collection[str]
) -> list[dict[str, Any]]:
    """The manifests of the selected tenants."""
    return [m for m in manifests if tenant_of_resource(resource_id(m), tenants) in selected]


def check_known(selected: Iterable[str], known: Collection[str], where: str) -> None:
    """An InputError (exit 2) naming every selected tenant that is not among the known ones."""
    unknown = [t for t in dict.fromkeys(selected) if t not in known]
    if not unknown:
        return
    names = sorted(known)
    problems = []
    for tenant in unknown:
        close = difflib.get_close_matches(tenant, names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        if names:
            listed = ", ".join(names[:HINT_LIMIT]) + (f", ... ({len(names)} in all)" if len(names) > HINT_LIMIT else "")
            hint += f"known tenants: {listed}"
        else:
            hint += "no dedicated tenant here: a tenant is a Namespace labelled agentflow.example.com/tenant"
        problems.append(Problem(None, "--tenant", f"unknown tenant {tenant!r} in {where}", hint))
    raise InputError(problems)
