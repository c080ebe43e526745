"""pipeline check: the Kubernetes schema check and every policy rule, per stage.

    pipeline check [--stage S]... [--format text|json|sarif|markdown] [--output FILE]
    pipeline check --manifests PATH... --stage S      # any YAML, judged by stage S's policy config
    pipeline check --stage prod --tenant acme         # only what concerns tenant acme's resources

Exit 1 when a mandatory rule fails or an object does not validate; advisory findings are
reported only; disabled rules are skipped. With --tenant T the stage is judged whole (stack
rules such as backup coverage or the quota need the shared context) and the report, and so the
exit code, keeps the findings and schema problems on the resources of T's namespaces.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kube.identity import ResourceId
from kube.tenancy import tenant_namespaces
from model.errors import InputError, Problem
from model.loader import load_environments
from pipeline.check import StageCheck, check_manifests, check_stage
from pipeline.manifest_input import read_manifests
from pipeline.output import write_output
from pipeline.render import render_stage
from pipeline.reports import FORMATS, sarif
from pipeline.tenant_filter import add_tenant_option, check_known, select, tenant_of_resource

HELP = "check every stage (or --manifests) against the Kubernetes schemas and the policy pack"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("check", parents=[common], help=HELP, description=HELP)
    parser.add_argument(
        "--manifests",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="check these YAML files or folders instead of the rendered stages (needs one --stage)",
    )
    parser.add_argument("--format", choices=sorted(FORMATS), default="text", help="report format (default: text)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    add_tenant_option(parser, "the report and the exit code keep the findings and schema problems on their resources")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.manifests:
        if not args.stage or len(args.stage) != 1:
            raise InputError(
                [
                    Problem(
                        None,
                        "--stage",
                        "--manifests needs exactly one --stage",
                        "name the stage whose policy config judges the manifests, e.g. --stage prod",
                    )
                ]
            )
        sourced = read_manifests(args.manifests)
        (env,) = load_environments(args.environments, args.stage)
        judged = [(check_manifests(sourced, env), [s.manifest for s in sourced])]
    else:
        judged = []
        for env in load_environments(args.environments, args.stage):
            manifests = list(render_stage(env).manifests)
            judged.append((check_stage(env, manifests=manifests), manifests))
    checks = [check for check, _ in judged]
    if args.tenant:
        checks = _narrowed(judged, tuple(sorted(set(args.tenant))))
    if args.format == "sarif":  # the catalog's address comes from where the command runs
        report = sarif.render(checks, sarif.catalog_url(os.environ, Path.cwd()))
    else:
        report = FORMATS[args.format](checks)
    write_output(report, args.output)
    if args.output and args.format != "text":
        from pipeline.reports.text import summary_line

        for check in checks:
            print(summary_line(check), file=sys.stderr)
    return 0 if all(check.passed for check in checks) else 1


def _narrowed(judged: list[tuple[StageCheck, list[dict]]], selected: tuple[str, ...]) -> list[StageCheck]:
    """Each verdict narrowed to the selected tenants' resources; a tenant no stage has is bad input."""
    owners = [tenant_namespaces(manifests) for _, manifests in judged]
    stages = [check.stage for check, _ in judged]
    known = {tenant for owner in owners for tenant in owner.values()}
    check_known(selected, known, "stage" + ("s " if len(stages) != 1 else " ") + ", ".join(stages))
    out = []
    for (check, manifests), owner in zip(judged, owners, strict=True):

        def keep(rid: ResourceId | None, owner: dict[str, str] = owner) -> bool:
            return rid is not None and tenant_of_resource(rid, owner) in selected

        out.append(check.narrowed(keep, len(select(manifests, owner, selected)), selected))
    return out
