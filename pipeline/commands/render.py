"""pipeline render [--stage S]... [--tenant T]... [--out DIR] [--check]: write rendered/<stage>/ and summarize it.

--tenant T narrows a render to dedicated tenants' namespaces (their folders and their Namespace
objects). The stage is rendered whole all the same, so every file is byte for byte what the
whole render holds. Written, the narrowed render is a slice: <DIR>/<stage>/ holds only those
files and a kustomization.yaml listing exactly them, so it builds on its own. A slice never goes
to the committed tree (rendered/ holds whole stages for Argo CD and Flux): --tenant needs an
--out of its own. With --check, only the tenants' files (and their folders) are compared, in a
whole render or a slice alike. Stages without any of the tenants are left out.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from kube.identity import resource_id
from kube.tenancy import tenant_namespaces
from model.errors import InputError, Problem
from model.loader import display_path, load_environments, load_stage_order
from pipeline.render import (
    RENDERED,
    RenderedStage,
    manifest_file,
    render_stage,
    rendered_root,
    slice_stage,
    staleness,
    strays,
    write_stages,
)
from pipeline.render_secrets import BASE_RENDER, literal_secrets
from pipeline.reports.text import tenants_label
from pipeline.summary import format_summary, summarize
from pipeline.tenant_filter import add_tenant_option, check_known, tenant_of_resource

HELP = "render every stage (or --stage S) to one YAML file per resource"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("render", parents=[common], help=HELP, description=HELP)
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output directory (default: rendered/ beside the environments folder; --tenant needs another)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and list the stale files if DIR differs from a fresh render",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    add_tenant_option(
        parser,
        "the summary covers their resources, and DIR/<stage>/ gets a slice: their files and a kustomization "
        "listing just those (never into rendered/); with --check only their files are compared",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    environments = load_environments(args.environments, args.stage)
    rendered = [(env, render_stage(env)) for env in environments]  # render all before writing any
    committed = rendered_root(args.environments)
    out = args.out or Path(display_path(committed))
    selected = tuple(sorted(set(args.tenant or ())))
    folders: dict[str, set[str]] = {}
    if selected:
        rendered, folders = _slices(rendered, selected)
        # rendered/ beside the stage files or in the working folder: both are where a tree is committed
        if not args.check and out.resolve() in {committed, Path(RENDERED).resolve()}:
            raise InputError(
                [
                    Problem(
                        None,
                        "--out",
                        "render --tenant writes a slice of a stage, and rendered/ holds whole stages",
                        "pass --out DIR (another folder) for the slice, or --check to compare the tenants' files",
                    )
                ]
            )
    if not args.check and not os.environ.get(BASE_RENDER):  # all judged before any is written
        refused = [p for env, stage in rendered for p in literal_secrets(env, stage.manifests, manifest_file)]
        if refused:
            raise InputError(refused)
    if args.check:
        extra = () if selected else strays(out, load_stage_order(args.environments))
        return _check(out, rendered, folders if selected else None, selected, extra)
    write_stages(out, [stage for _, stage in rendered])
    summaries = [summarize(env.stage, stage.manifests, env.release.version) for env, stage in rendered]
    if args.format == "json":
        json.dump([s.as_dict() for s in summaries], sys.stdout, indent=2)
        print()
    else:
        for summary in summaries:
            print(format_summary(summary))
        print(f"wrote {sum(len(stage.files) for _, stage in rendered)} files under {out}/{tenants_label(selected)}")
    return 0


def _slices(rendered, selected: tuple[str, ...]) -> tuple[list, dict[str, set[str]]]:
    """Each stage's slice of the selected tenants (stages with none of them left out), and their folders."""
    owners = {env.stage: tenant_namespaces(stage.manifests) for env, stage in rendered}
    known = {tenant for owner in owners.values() for tenant in owner.values()}
    check_known(selected, known, "stage" + ("s " if len(owners) != 1 else " ") + ", ".join(owners))
    slices, folders = [], {}
    for env, stage in rendered:
        owner = owners[env.stage]
        namespaces = {ns for ns, tenant in owner.items() if tenant in selected}
        if namespaces:
            keep = lambda m, owner=owner: tenant_of_resource(resource_id(m), owner) in selected  # noqa: E731
            slices.append((env, slice_stage(stage, keep)))
            folders[env.stage] = namespaces
    return slices, folders


def _check(
    out: Path,
    rendered: list[tuple[object, RenderedStage]],
    folders: dict[str, set[str]] | None,
    selected: tuple[str, ...],
    extra: tuple[str, ...] = (),
) -> int:
    stale = [staleness(out, stage, folders[stage.stage] if folders is not None else None) for _, stage in rendered]
    if not extra and not any(s.stale for s in stale):
        print(f"{out}/ is up to date ({', '.join(stage.stage for _, stage in rendered)}){tenants_label(selected)}")
        return 0
    for report in stale:
        for label, paths in (("changed", report.changed), ("missing", report.missing), ("extra", report.extra)):
            for path in paths:
                print(f"stale: {out}/{path} ({label})")
    for name in extra:
        print(f"stale: {out}/{name} (not a stage folder: no render writes it)")
    if any(s.stale for s in stale):
        print(f"{out}/ is stale: run `pipeline render` and commit the result", file=sys.stderr)
    if extra:
        print(f"{out}/ holds what no render writes: remove it (render never deletes it)", file=sys.stderr)
    return 1
