"""The cluster lifecycle as stage-file edits: set-image, scale, stop, start, rollback (tenants: pipeline.tenants).

Each change is planned without writing: the edited file is validated as the loader reads it,
the stage is rendered before and after, diffed, and checked; a change that adds a mandatory
policy failure (a quota the new bounds overflow, a PDB they block) is refused. Only then is the
file written, atomically, comments and layout kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from model.environment import Environment, Service
from model.errors import InputError, Problem
from model.loader import load_environment, load_stage_order, select_stages
from model.writer import FileEdit, edit_text, keep_trailing_comment, to_round_trip
from pipeline.check import check_stage
from pipeline.diff.engine import diff_stage
from pipeline.diff.model import StageDiff
from pipeline.preview import Preview, StagePreview
from pipeline.render import RenderedStage, render_manifests, render_stage
from pipeline.verdict import StageCheck

SCALING_KEYS = ("replicas", "autoscaling", "pdb")


@dataclass(frozen=True)
class StageChange:
    """A planned edit of one stage file, what it does to the stage, and why it may be refused."""

    stage: str
    action: str
    edit: FileEdit
    rendered: RenderedStage  # the stage after the edit: written to rendered/ with the file
    diff: StageDiff
    check: StageCheck
    refusals: tuple[str, ...]
    release: str
    base_release: str
    confirm: str = ""  # what the change destroys; then it is written only when confirmed (--yes)

    @property
    def accepted(self) -> bool:
        return not self.refusals

    def preview(self) -> Preview:
        stage = StagePreview(self.stage, self.diff, self.check, self.check.findings, self.release, self.base_release)
        return Preview(f"{self.stage} now", f"{self.stage} after {self.action}", (stage,), self.stage)


def plan_change(directory: Path, stage: str, action: str, change: Callable[[CommentedMap], None]) -> StageChange:
    """Edit a stage file in memory and judge the result; refusals list new mandatory failures."""
    order = load_stage_order(directory)
    before = load_environment(directory, stage, order)
    path = directory / f"{stage}.yaml"
    edit = edit_text(path, change)
    after = load_environment(directory, stage, order, {path.name: edit.after})  # invalid edits stop here
    rendered = render_stage(after)
    old, new = list(render_manifests(before)), list(rendered.manifests)
    check = check_stage(after, manifests=new)
    known = {(f.rule_id, f.resource, f.path) for f in check_stage(before, manifests=old).mandatory_failures}
    refusals = tuple(
        f"[{f.rule_id}] {f.message()} Fix: {f.remediation}"
        for f in check.mandatory_failures
        if (f.rule_id, f.resource, f.path) not in known
    )
    refusals += tuple(f"schema: {p.resource} {p.path}: {p.message}" for p in check.schema_problems)
    return StageChange(
        stage,
        action,
        edit,
        rendered,
        diff_stage(stage, old, new),
        check,
        refusals,
        after.release.version,
        before.release.version,
    )


def find_service(env: Environment, name: str) -> tuple[Service, tuple[str, ...]]:
    """A service of the stage and the key path of its settings in a stage file."""
    for service in env.services:
        if service.name == name:
            return service, ("services", name)
    for service in env.training.services:
        if service.name == name:
            return service, ("training", "services", name)
    known = sorted(s.name for s in (*env.services, *env.training.services))
    raise InputError([Problem(None, "", f"stage {env.stage} has no service {name!r}", f"known: {', '.join(known)}")])


def settings_of(document: CommentedMap, path: tuple[str, ...]) -> CommentedMap:
    """The mapping at path in a stage document, created (empty) where missing."""
    node = document
    for key in path:
        if not isinstance(node.get(key), dict):
            node[key] = CommentedMap()
        node = node[key]
    return node


def along(document: CommentedMap, path: tuple[str, ...], change: Callable[[], None]) -> None:
    """Run change keeping the comments that follow each mapping on the path where they are."""
    nodes = [document]
    for key in path:
        if not isinstance(nodes[-1].get(key), dict):
            break
        nodes.append(nodes[-1][key])
    for node in reversed(nodes):
        change = _kept(node, change)
    change()


def _kept(node: CommentedMap, inner: Callable[[], None]) -> Callable[[], None]:
    return lambda: keep_trailing_comment(node, inner)


def prune_empty(document: CommentedMap, path: tuple[str, ...]) -> None:
    """Remove the mappings on path that an edit left empty, deepest first."""
    for depth in range(len(path), 0, -1):
        parent = document
        for key in path[: depth - 1]:
            parent = parent[key]
        if isinstance(parent.get(path[depth - 1]), dict) and not parent[path[depth - 1]]:
            del parent[path[depth - 1]]


def set_image(directory: Path, stage: str, service: str, image: str, release: str | None, force: bool) -> StageChange:
    """Put an image into a stage's release: the first stage only, unless forced."""
    order = load_stage_order(directory)
    select_stages(order, [stage], directory)  # an unknown stage is that, not "images enter at dev"
    if stage != order[0] and not force:
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    f"new images enter at {order[0]}, not {stage}",
                    f"set it in {order[0]} and promote it (pipeline promote), or pass --force",
                )
            ]
        )
    find_service(load_environment(directory, stage, order), service)

    def set_in(document: CommentedMap) -> None:
        settings_of(document, ("release", "images"))[service] = image
        if release:
            document["release"]["version"] = release

    def change(document: CommentedMap) -> None:
        along(document, ("release", "images"), lambda: set_in(document))

    return plan_change(directory, stage, f"set-image {service}", change)


def scale(
    directory: Path, stage: str, service: str, replicas: int | None, minimum: int | None, maximum: int | None
) -> StageChange:
    """Fixed replicas (autoscaling off) or HPA bounds (autoscaling on) for one service of a stage."""
    _, path = find_service(load_environment(directory, stage), service)

    def change(document: CommentedMap) -> None:
        along(document, path, lambda: _scale(document))

    def _scale(document: CommentedMap) -> None:
        settings = settings_of(document, path)
        if "stopped" in settings:
            raise InputError([Problem(None, "", f"{service} is stopped in {stage}", "start it first (pipeline start)")])
        autoscaling = settings_of(settings, ("autoscaling",))
        if replicas is not None:
            settings["replicas"] = replicas
            autoscaling["enabled"] = False
        else:
            settings.pop("replicas", None)
            autoscaling["enabled"] = True
            autoscaling["min_replicas"], autoscaling["max_replicas"] = minimum, maximum

    bounds = f"--replicas {replicas}" if replicas is not None else f"--min {minimum} --max {maximum}"
    return plan_change(directory, stage, f"scale {service} {bounds}", change)


def stop(directory: Path, stage: str, service: str) -> StageChange:
    """Scale a service to zero, keeping its own scaling settings in the file for start."""
    _, path = find_service(load_environment(directory, stage), service)

    def stop_in(document: CommentedMap) -> None:
        settings = settings_of(document, path)
        if "stopped" in settings:
            raise InputError(
                [Problem(None, "", f"{service} is already stopped in {stage}", "pipeline start restores it")]
            )
        remembered = {key: _plain(settings[key]) if key in settings else None for key in SCALING_KEYS}
        settings["stopped"] = to_round_trip(remembered)
        for key, value in (("replicas", 0), ("autoscaling", {"enabled": False}), ("pdb", {"enabled": False})):
            settings[key] = to_round_trip(value)

    return plan_change(
        directory, stage, f"stop {service}", lambda document: along(document, path, lambda: stop_in(document))
    )


def start(directory: Path, stage: str, service: str) -> StageChange:
    """Restore what stop remembered, exactly as the file had it."""
    _, path = find_service(load_environment(directory, stage), service)

    def start_in(document: CommentedMap) -> None:
        settings = settings_of(document, path)
        if "stopped" not in settings:
            raise InputError([Problem(None, "", f"{service} is not stopped in {stage}", "pipeline stop stops it")])
        remembered = _plain(settings.pop("stopped"))
        for key in SCALING_KEYS:
            if remembered.get(key) is None:
                settings.pop(key, None)
            else:
                settings[key] = to_round_trip(remembered[key])
        prune_empty(document, path)  # stop may have created the service's entry: leave no empty one behind

    return plan_change(
        directory, stage, f"start {service}", lambda document: along(document, path, lambda: start_in(document))
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
