"""image-digest: from staging on, every image is pinned by digest.

A tag can be moved to other content after review; a digest cannot. Stages whose policy sets
`require_digest: true` (staging and prod) deploy exactly what was tested in the stage before.

PASS (require_digest: true):
    image: registry.agentflow.example.com/agentflow/agent-service:1.4.2@sha256:0f3c...e1

FAIL (require_digest: true):
    image: registry.agentflow.example.com/agentflow/agent-service:1.4.2
"""

from __future__ import annotations

from kube.images import InvalidImage, parse_image
from kube.workloads import containers, pod_template, title
from policies.framework import Violation, manifest_of, option, report, shown

ID = "image-digest"
DESCRIPTION = "Images are pinned by digest (image@sha256:...) in stages that require it."
REMEDIATION = "Pin the image by digest (name:tag@sha256:<digest>); promote the digest tested in the stage before."
ENFORCEMENT = "mandatory"
GENERIC = "advisory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Pin the image by digest (name:tag@sha256:<digest>), as `crane digest` or the registry reports it for the tag."
)
SCOPE = "resource"
OPTIONS = {
    "require_digest": {
        "type": "boolean",
        "default": False,
        "description": "whether this stage requires digest-pinned images",
    }
}


def validate(args, report_violation) -> None:
    if not option(args, "require_digest", False):
        return
    manifest = manifest_of(args)
    template = pod_template(manifest) if manifest else None
    if template is None:
        return
    for container in containers(template):
        image = container.spec.get("image")
        try:
            pinned = parse_image(image).pinned if isinstance(image, str) else False
        except InvalidImage:
            pinned = False
        if not pinned:
            report(
                report_violation,
                Violation(
                    title(manifest), f"{container.path}.image", shown(image), "pinned by digest (@sha256:...)", args.urn
                ),
            )
