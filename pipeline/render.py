"""pipeline render: one YAML file per resource under <out>/<stage>/, plus a kustomization.yaml.

Layout: <stage>/<namespace>/<kind>-<name>.yaml, cluster-scoped objects under <stage>/_cluster/.
Writing is all-or-nothing (pipeline.transaction): the new trees are written beside the old ones and
swapped in, and a stage file edit lands together with its stage's folder.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kube.identity import ResourceId, resource_id
from model.environment import Environment
from model.errors import InputError, Problem
from pipeline.transaction import Transaction, TreeWrite, commit
from pipeline.yaml_output import dump_manifest
from stacks.platform import manifests as stage_manifests

CLUSTER_SCOPE_DIR = "_cluster"
KUSTOMIZATION = "kustomization.yaml"
RENDERED = "rendered"  # the committed tree, beside the stage files' folder
# The first line of every kustomization render writes: a folder whose kustomization begins so is
# one render may replace; any other folder (a hand-made kustomize overlay included) is not.
RENDER_MARK = "# Written by `pipeline render` from the stage files: edit those, then render again.\n"


@dataclass(frozen=True)
class RenderedStage:
    """A stage's manifests (sorted by identity) and the files that hold them."""

    stage: str
    manifests: tuple[dict[str, Any], ...]
    files: dict[str, str]  # path relative to the stage directory -> content


def manifest_file(manifest: dict[str, Any]) -> str:
    """Where a manifest lives inside its stage directory."""
    meta = manifest["metadata"]
    folder = meta.get("namespace") or CLUSTER_SCOPE_DIR
    return f"{folder}/{manifest['kind'].lower()}-{meta['name']}.yaml"


def render_stage(env: Environment) -> RenderedStage:
    """Every manifest of the stage and its file contents; duplicate identities are an error."""
    ordered = render_manifests(env)
    files: dict[str, str] = {}
    for manifest in ordered:
        path = manifest_file(manifest)
        if path in files:
            raise InputError(f"stage {env.stage}: two objects would share the file {path}")
        files[path] = dump_manifest(manifest)
    files[KUSTOMIZATION] = kustomization(sorted(files))
    return RenderedStage(env.stage, ordered, files)


def render_manifests(env: Environment) -> tuple[dict[str, Any], ...]:
    """Every manifest of the stage, sorted by identity, without their YAML (what check and diff need).

    render_stage(env).manifests is the same tuple; the YAML it also writes is about half of its
    cost on a fleet.
    """
    by_id: dict[ResourceId, dict[str, Any]] = {}
    for manifest in stage_manifests(env):
        rid = resource_id(manifest)
        if rid in by_id:
            raise InputError(
                [
                    Problem(
                        None,
                        "",
                        f"stage {env.stage}: {rid} is generated twice",
                        "two components produce the same object; rename one of them",
                    )
                ]
            )
        by_id[rid] = manifest
    return tuple(by_id[rid] for rid in sorted(by_id))


def slice_stage(rendered: RenderedStage, keep: Callable[[dict[str, Any]], bool]) -> RenderedStage:
    """Part of a rendered stage (render --tenant): the files of the manifests keep accepts, byte for
    byte as in the whole stage, and a kustomization listing exactly those, so the slice builds alone."""
    manifests = tuple(m for m in rendered.manifests if keep(m))
    files = {manifest_file(m): rendered.files[manifest_file(m)] for m in manifests}
    files[KUSTOMIZATION] = kustomization(sorted(files))
    return RenderedStage(rendered.stage, manifests, files)


def kustomization(resource_files: list[str]) -> str:
    """A kustomization listing every file, so `kubectl kustomize <stage dir>` consumes it as is."""
    return RENDER_MARK + dump_manifest(
        {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": sorted(resource_files)}
    )


def rendered_root(environments: Path) -> Path:
    """The committed rendered tree of a folder of stage files: rendered/ beside environments/."""
    return environments.resolve().parent / RENDERED


def stage_tree(out_dir: Path, rendered: RenderedStage) -> TreeWrite:
    """<out_dir>/<stage> as a folder write; an existing folder is replaced only if render wrote it."""
    return TreeWrite(out_dir / rendered.stage, rendered.files, KUSTOMIZATION, RENDER_MARK)


def write_stages(out_dir: Path, stages: list[RenderedStage]) -> None:
    """Replace <out_dir>/<stage> of every stage at once: readers and killed runs see all old or all new."""
    commit(Transaction(out_dir, (), tuple(stage_tree(out_dir, stage) for stage in stages)))


def write_stage(out_dir: Path, rendered: RenderedStage) -> Path:
    """Replace <out_dir>/<stage> with the rendered files, atomically."""
    write_stages(out_dir, [rendered])
    return out_dir / rendered.stage


@dataclass(frozen=True)
class Staleness:
    """How a rendered directory differs from a fresh render."""

    changed: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]

    @property
    def stale(self) -> bool:
        return bool(self.changed or self.missing or self.extra)


def staleness(out_dir: Path, rendered: RenderedStage, folders: Collection[str] | None = None) -> Staleness:
    """Compare <out_dir>/<stage> with a fresh render, file by file.

    With folders (render --check --tenant: rendered is a slice), only the slice's own files and
    whatever else lies in those namespace folders are judged: not the kustomization, not the
    other namespaces, so a whole stage's folder and a slice's are checked alike.
    """
    root = out_dir / rendered.stage
    on_disk = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.is_dir() else set()
    expected = rendered.files
    if folders is not None:
        expected = {path: content for path, content in rendered.files.items() if path != KUSTOMIZATION}
        on_disk = {path for path in on_disk if path.split("/", 1)[0] in folders or path in expected}
    changed = [
        path
        for path, content in expected.items()
        if path in on_disk and (root / path).read_text(encoding="utf-8") != content
    ]
    prefix = f"{rendered.stage}/"
    return Staleness(
        changed=tuple(prefix + p for p in sorted(changed)),
        missing=tuple(prefix + p for p in sorted(set(expected) - on_disk)),
        extra=tuple(prefix + p for p in sorted(on_disk - set(expected))),
    )


def strays(out_dir: Path, stages: Collection[str]) -> tuple[str, ...]:
    """What lies in the rendered tree's top folder and no render writes there: a GitOps agent syncs it all.

    Hidden entries included (a copy of a stage folder left by hand, the temporaries of a run
    killed by an older version): `git add rendered/` would pick them up.
    """
    if not out_dir.is_dir():
        return ()
    return tuple(
        sorted(entry.name + ("/" if entry.is_dir() else "") for entry in out_dir.iterdir() if entry.name not in stages)
    )
