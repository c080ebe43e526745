"""image-registry: every container image comes from a registry the stage allows.

An image's normalised name is `registry/repository`, as the container runtime resolves it: a
bare `postgres` is `docker.io/library/postgres`, `bitnami/redis` is `docker.io/bitnami/redis`.
It is allowed when it starts with one of the stage's `policy.registries`: a prefix ending in
`/` allows everything under it, any other prefix names one repository (and the repositories
under it), so `docker.io/library/postgres` does not allow `docker.io/library/postgres-evil`.
With no registries configured the rule checks nothing.

PASS (registries: [registry.agentflow.example.com/agentflow/, docker.io/library/postgres]):
    image: registry.agentflow.example.com/agentflow/agent-service:1.4.2
    image: postgres:16.4                      # docker.io/library/postgres

FAIL (same registries):
    image: ghcr.io/someone/agent-service:1.4.2
    image: bitnami/postgresql:16              # docker.io/bitnami/postgresql
"""

from __future__ import annotations

from kube.images import InvalidImage, parse_image
from kube.resources import containers_of, pod_of
from kube.workloads import is_list, title
from policies.framework import Violation, manifest_of, option, report, shown

ID = "image-registry"
DESCRIPTION = "Every container image comes from a registry (or repository) the stage allows."
REMEDIATION = (
    "Pull the image from an allowed registry (mirror it there), or add its registry/repository prefix "
    "to policy.registries in the stage file after review."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "resource"
OPTIONS = {
    "registries": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "allowed image name prefixes (registry/repository); empty allows every image",
    }
}

_DOCKER_HUB_ALIASES = ("index.docker.io", "registry-1.docker.io", "registry.hub.docker.com")


def normalised_name(image: str) -> str:
    """registry/repository as the runtime pulls it (docker.io/library/postgres for `postgres`)."""
    reference = parse_image(image)
    registry = reference.registry.lower()
    registry = "docker.io" if registry in _DOCKER_HUB_ALIASES else registry
    repository = reference.repository
    if registry == "docker.io" and "/" not in repository:
        repository = f"library/{repository}"
    return f"{registry}/{repository}"


def allowed(name: str, prefixes: list[str]) -> bool:
    """Whether a normalised name is under one of the prefixes (whole path components only)."""
    for prefix in prefixes:
        if prefix.endswith("/") and name.startswith(prefix):
            return True
        if name == prefix or name.startswith(prefix + "/"):
            return True
    return False


def validate(args, report_violation) -> None:
    registries = option(args, "registries", [])
    prefixes = [p for p in registries if isinstance(p, str) and p] if is_list(registries) else []
    manifest = manifest_of(args)
    template = pod_of(manifest)
    if not prefixes or template is None:
        return
    expected = "pulled from an allowed registry (policy.registries): " + ", ".join(prefixes)
    for container in containers_of(template):
        image = container.spec.get("image")
        try:
            name = normalised_name(image) if isinstance(image, str) else None
        except InvalidImage:
            name = None
        if name is None:
            observed = f"{shown(image)}, not an image reference" if image not in (None, "") else "not set"
            report(
                report_violation, Violation(title(manifest), f"{container.path}.image", observed, expected, args.urn)
            )
        elif not allowed(name, prefixes):
            observed = shown(image) if image.startswith(name) else f"{shown(image)}, that is {name}"
            report(
                report_violation, Violation(title(manifest), f"{container.path}.image", observed, expected, args.urn)
            )
