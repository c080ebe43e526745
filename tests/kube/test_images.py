"""kube/images.py: OCI image references, after distribution/reference's grammar."""

from __future__ import annotations

import pytest

from kube.images import DEFAULT_REGISTRY, ImageReference, InvalidImage, parse_image

DIGEST = "sha256:" + "0123456789abcdef" * 4
PROD_AGENT = (
    "registry.agentflow.example.com/agentflow/agent-service:1.4.2@sha256:"
    "707a54d1a09fa674fc62653f968b4ce4a2bd12853296eb31d4017e40904ab8be"
)


@pytest.mark.parametrize(
    "text, registry, repository, tag, digest",
    [
        ("nginx", "docker.io", "nginx", None, None),
        ("nginx:1.25", "docker.io", "nginx", "1.25", None),
        ("library/nginx:1.25", "docker.io", "library/nginx", "1.25", None),
        ("docker.io/library/postgres:16.4", "docker.io", "library/postgres", "16.4", None),
        ("ghcr.io/org/app:v1", "ghcr.io", "org/app", "v1", None),
        ("localhost/app", "localhost", "app", None, None),
        ("localhost:5000/app:1", "localhost:5000", "app", "1", None),
        ("registry.example.com:5000/team/app:1.2.3", "registry.example.com:5000", "team/app", "1.2.3", None),
        (f"registry.example.com/team/app:1.2.3@{DIGEST}", "registry.example.com", "team/app", "1.2.3", DIGEST),
        (f"app@{DIGEST}", "docker.io", "app", None, DIGEST),
        ("Registry.Example.com/app", "Registry.Example.com", "app", None, None),  # upper case only in the host
        ("localhost:5000", "docker.io", "localhost", "5000", None),  # no slash: a name and a tag
        ("a/b/c/d:x_Y.z-1", "docker.io", "a/b/c/d", "x_Y.z-1", None),
        ("a__b/c--d/e.f", "docker.io", "a__b/c--d/e.f", None, None),
        (
            PROD_AGENT,
            "registry.agentflow.example.com",
            "agentflow/agent-service",
            "1.4.2",
            "sha256:707a54d1a09fa674fc62653f968b4ce4a2bd12853296eb31d4017e40904ab8be",
        ),
    ],
)
def test_parse_image(text, registry, repository, tag, digest):
    assert parse_image(text) == ImageReference(registry=registry, repository=repository, tag=tag, digest=digest)


def test_the_default_registry_is_docker_hub():
    assert DEFAULT_REGISTRY == "docker.io"
    assert parse_image("team/app:1").registry == "docker.io"


def test_a_tag_of_128_characters_is_the_longest():
    assert parse_image("app:" + "a" * 128).tag == "a" * 128
    with pytest.raises(InvalidImage):
        parse_image("app:" + "a" * 129)


@pytest.mark.parametrize(
    "text",
    [
        "registry/Bad Image:tag",
        "App:1",  # upper case in the repository
        "registry.example.com/Team/app:1",
        "registry.example.com/team/App",
        "",
        "app:",
        ":tag",
        "app:-tag",
        "app:.tag",
        "a:b:c",
        "a___b",
        "a..b",
        "-app",
        "app-",
        "registry.example.com/",
        "app@sha256:abc",  # too short for any digest
        "app@" + "0" * 64,  # no algorithm
        "app@sha256:" + "g" * 64,
        "https://registry.example.com/app:1",
    ],
)
def test_not_an_image_reference(text):
    with pytest.raises(InvalidImage) as caught:
        parse_image(text)
    assert str(caught.value) == f"{text!r} is not an image reference (registry/repository:tag[@sha256:<64 hex>])"


@pytest.mark.parametrize(
    "digest",
    ["sha256:" + "A" * 64, "sha256:" + "a" * 63, "sha256:" + "a" * 65, "sha256:" + "a" * 40],
    ids=["upper-case", "63", "65", "40"],
)
def test_a_sha256_digest_is_64_lower_case_hex(digest):
    text = f"app@{digest}"
    with pytest.raises(InvalidImage) as caught:
        parse_image(text)
    assert str(caught.value) == f"{text!r}: a sha256 digest is 64 lower-case hex characters"


def test_a_name_longer_than_255_characters_is_rejected():
    text = "registry.example.com/" + "a" * 240
    with pytest.raises(InvalidImage) as caught:
        parse_image(text)
    assert str(caught.value) == f"{text!r}: the repository name is longer than 255 characters"
    assert parse_image("registry.example.com/" + "a" * 234).repository == "a" * 234  # 255 exactly


@pytest.mark.parametrize(
    "text, version",
    [
        ("app:1.4.2", "1.4.2"),
        (f"app:1.4.2@{DIGEST}", "1.4.2"),
        (f"app@{DIGEST}", "0123456789ab"),
        ("app", "latest"),
    ],
)
def test_version(text, version):
    assert parse_image(text).version == version


@pytest.mark.parametrize("text, pinned", [(f"app@{DIGEST}", True), (f"app:1@{DIGEST}", True), ("app:1", False)])
def test_pinned(text, pinned):
    assert parse_image(text).pinned is pinned


def test_invalid_image_is_a_value_error():
    assert issubclass(InvalidImage, ValueError)


def test_a_trailing_newline_is_not_part_of_a_reference():
    with pytest.raises(InvalidImage):
        parse_image("nginx:1.25\n")


@pytest.mark.parametrize("tag", ["v\u00e9", "\u0661"])
def test_a_tag_is_ascii(tag):
    with pytest.raises(InvalidImage):
        parse_image(f"app:{tag}")


@pytest.mark.parametrize("digest", ["md5:" + "a" * 32, "sha512:" + "a" * 64], ids=["md5", "short-sha512"])
def test_a_digest_must_be_of_a_supported_algorithm_and_length(digest):
    with pytest.raises(InvalidImage):
        parse_image(f"app@{digest}")
