"""OCI image references ("registry/repo:tag@sha256:..."), after distribution/reference's grammar."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*"
_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})*(?::[0-9]+)?"
REFERENCE = re.compile(
    rf"^(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?\Z"
)
# The digest algorithms the OCI image spec registers, and their hex lengths.
DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
DEFAULT_REGISTRY = "docker.io"


class InvalidImage(ValueError):
    """A string that is not an image reference."""


@dataclass(frozen=True)
class ImageReference:
    """A parsed image reference; registry is docker.io when the reference names none."""

    registry: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def pinned(self) -> bool:
        """Whether the reference names its content by digest."""
        return self.digest is not None

    @property
    def version(self) -> str:
        """What a person calls this image's version: the tag, else the short digest."""
        if self.tag:
            return self.tag
        return self.digest.split(":", 1)[1][:12] if self.digest else "latest"


def parse_image(text: str) -> ImageReference:
    """Parse an image reference, raising InvalidImage with the reason."""
    match = REFERENCE.match(text)
    if not match:
        raise InvalidImage(f"{text!r} is not an image reference (registry/repository:tag[@sha256:<64 hex>])")
    domain, path = match["domain"], match["path"]
    # distribution/reference: the first component is a registry only if it looks like a host.
    if domain and not ("." in domain or ":" in domain or domain == "localhost" or domain != domain.lower()):
        domain, path = None, f"{domain}/{path}"
    if len((domain + "/" if domain else "") + path) > 255:
        raise InvalidImage(f"{text!r}: the repository name is longer than 255 characters")
    digest = match["digest"]
    if digest:
        algorithm, _, hex_part = digest.partition(":")
        if algorithm not in DIGEST_LENGTHS:
            raise InvalidImage(f"{text!r}: digest algorithm {algorithm!r} is not one of {', '.join(DIGEST_LENGTHS)}")
        if len(hex_part) != DIGEST_LENGTHS[algorithm] or hex_part != hex_part.lower():
            raise InvalidImage(
                f"{text!r}: a {algorithm} digest is {DIGEST_LENGTHS[algorithm]} lower-case hex characters"
            )
    return ImageReference(registry=domain or DEFAULT_REGISTRY, repository=path, tag=match["tag"], digest=digest)
