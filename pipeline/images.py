"""The container images a change brings into the stages: what the pull request's image scan reads.

An image counts as introduced in a stage when the head's manifests of that stage run it and the
base's do not (without a base, every image the head runs). Images come from the rendered
manifests, not the release, so sidecars, init containers and CronJobs count too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kube.resources import containers_of, pod_of


@dataclass(frozen=True)
class IntroducedImage:
    """An image the change brings in, the stages that get it, and whether the last one does."""

    image: str
    stages: tuple[str, ...]
    last_stage: bool  # the production stage: a critical vulnerability there fails the check

    @property
    def key(self) -> str:
        """A name safe for artifacts and code-scanning categories, unique per image."""
        readable = re.sub(r"[^A-Za-z0-9._-]+", "-", self.image.split("@", 1)[0].rsplit("/", 1)[-1])
        return f"{readable[:60]}-{hashlib.sha256(self.image.encode()).hexdigest()[:8]}"

    def as_dict(self) -> dict[str, Any]:
        return {"image": self.image, "stages": list(self.stages), "last_stage": self.last_stage, "key": self.key}


def images_in(manifests: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every image a set of manifests runs (every container list of every pod template)."""
    found = set()
    for manifest in manifests:
        template = pod_of(manifest)
        if template is None:
            continue
        for container in containers_of(template):
            image = container.spec.get("image")
            if isinstance(image, str) and image:
                found.add(image)
    return found


def introduced_images(
    head: Mapping[str, list[dict[str, Any]]],
    base: Mapping[str, list[dict[str, Any]]] | None,
    order: tuple[str, ...],
) -> list[IntroducedImage]:
    """The images each stage of head runs that the same stage of base does not, sorted by image."""
    stages_of: dict[str, list[str]] = {}
    for stage in (s for s in order if s in head):
        known = images_in(base.get(stage, [])) if base is not None else set()
        for image in sorted(images_in(head[stage]) - known):
            stages_of.setdefault(image, []).append(stage)
    return [IntroducedImage(image, tuple(stages), order[-1] in stages) for image, stages in sorted(stages_of.items())]
