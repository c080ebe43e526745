"""pipeline images: the images a change brings into each stage, read from the rendered manifests."""

from __future__ import annotations

import json

import pytest

from pipeline.images import IntroducedImage, images_in, introduced_images
from tests.pipeline.gitrepo import GitRepo, build_repo
from tests.pipeline.test_promotion import edit_release, image

ORDER = ("dev", "staging", "prod")


def pod(*images: str, init: str | None = None) -> dict:
    spec = {"containers": [{"name": f"c{i}", "image": ref} for i, ref in enumerate(images)]}
    if init:
        spec["initContainers"] = [{"name": "init", "image": init}]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"spec": spec}}}


def test_every_container_list_counts_and_objects_without_pods_do_not():
    cron = {
        "kind": "CronJob",
        "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"image": "b:2"}]}}}}},
    }
    manifests = [pod("a:1", init="i:1"), cron, {"kind": "ConfigMap", "data": {"image": "not-an-image"}}]
    assert images_in(manifests) == {"a:1", "i:1", "b:2"}
    assert images_in([pod(""), {"kind": "Deployment", "spec": {"template": "oops"}}]) == set()


def test_an_image_is_introduced_where_the_base_stage_did_not_run_it():
    base = {"dev": [pod("a:1")], "staging": [pod("a:1")], "prod": [pod("a:0")]}
    head = {"dev": [pod("a:2")], "staging": [pod("a:1")], "prod": [pod("a:1", "side:1")]}
    found = introduced_images(head, base, ORDER)
    assert [(i.image, i.stages, i.last_stage) for i in found] == [
        ("a:1", ("prod",), True),  # staging already ran it; prod did not
        ("a:2", ("dev",), False),
        ("side:1", ("prod",), True),
    ]
    assert introduced_images(head, None, ORDER)[0] == IntroducedImage("a:1", ("staging", "prod"), True)


def test_keys_are_safe_names_and_unique_per_image():
    one = IntroducedImage("registry.example.com/team/agent-service:1.5.0@sha256:" + "a" * 64, ("dev",), False)
    other = IntroducedImage("registry.example.com/team/agent-service:1.5.0@sha256:" + "b" * 64, ("dev",), False)
    assert one.key.startswith("agent-service-1.5.0-") and one.key != other.key
    assert all(ch.isalnum() or ch in "._-" for ch in one.key)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitRepo:
    return build_repo(tmp_path_factory.mktemp("images") / "repo")


def test_the_cli_lists_what_a_commit_brings_in_as_a_matrix(repo):
    base = repo.head()
    new = image("agent-service", "1.6.0")
    edit_release(repo, "dev", lambda r: r["images"].__setitem__("agent-service", new), commit="dev: 1.6.0")
    result = repo.run("images", "--base", base, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == [IntroducedImage(new, ("dev",), False).as_dict()]
    assert repo.run("images", "--base", "HEAD").out == ""
    every = repo.run("images", "--stage", "prod").out.splitlines()
    assert every and all(line.endswith("  (prod)") for line in every)
    assert repo.run("images", "--base", "no-such-rev").code == 2
