"""image-tag: every container image names a tag, and the tag is not `latest`.

An image without a tag is `:latest`, which names whatever was pushed last: two nodes may run
two different builds, and a rollback cannot go back to it. A reference pinned by digest alone
(`repo@sha256:...`) names its content and passes; a digest does not excuse `latest` beside it
(`repo:latest@sha256:...` tells a reader nothing about the version).

PASS:
    image: registry.agentflow.example.com/agentflow/agent-service:1.4.2
    image: registry.agentflow.example.com/agentflow/agent-service@sha256:707a...8be

FAIL:
    image: registry.agentflow.example.com/agentflow/agent-service          # no tag: latest
    image: registry.agentflow.example.com/agentflow/agent-service:latest
"""

from __future__ import annotations

from kube.images import InvalidImage, parse_image
from kube.resources import containers_of, pod_of
from kube.workloads import title
from policies.framework import Violation, manifest_of, report, shown

ID = "image-tag"
DESCRIPTION = "Every container image names a version tag other than latest (or is pinned by digest alone)."
REMEDIATION = (
    "Name the image by its version tag, e.g. name:1.4.2 (release.images in the stage file, "
    "backup.image in environments/defaults.yaml), never :latest."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Name the image by a version tag (name:1.4.2) or a digest (name@sha256:...), never :latest or no tag."
)
SCOPE = "resource"
OPTIONS: dict = {}

EXPECTED = "tagged with a version other than latest (name:1.4.2) or pinned by digest (name@sha256:...)"


def problem(image: object) -> str | None:
    """What is wrong with an image reference for this rule, or None when it is fine."""
    if image is None or image == "":
        return "not set"
    try:
        reference = parse_image(image) if isinstance(image, str) else None
    except InvalidImage:
        reference = None
    if reference is None:
        return f"{shown(image)}, not an image reference"
    if reference.tag is None:
        return None if reference.digest else f"{shown(image)}, no tag (so latest)"
    if reference.tag.lower() == "latest":
        return f"{shown(image)}, tagged latest"
    return None


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    template = pod_of(manifest)
    if template is None:
        return
    for container in containers_of(template):
        observed = problem(container.spec.get("image"))
        if observed is not None:
            report(
                report_violation, Violation(title(manifest), f"{container.path}.image", observed, EXPECTED, args.urn)
            )
