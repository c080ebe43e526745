"""pipeline check: the Kubernetes schema check and every policy rule, per stage.

    pipeline check [--stage S]... [--format text|json|sarif|markdown] [--output FILE]
    pipeline check --manifests PATH...                # any YAML, judged by the generic profile
    pipeline check --manifests PATH... --stage S      # judged by stage S's policy config (platform profile)
        [--schema-dir DIR]... [--strict-schemas] [--skips FILE]
    pipeline check --stage prod --tenant acme         # only what concerns tenant acme's resources

Exit 1 when a mandatory rule fails or an object does not validate; advisory findings are
reported only; disabled rules are skipped. With --manifests every readable document is judged;
unreadable ones are reported in the report (every format) and make the exit code 2, documents
that are no Kubernetes objects are named and skipped, and a custom resource no schema covers
is reported as not validated (a failure only with --strict-schemas). With --tenant T the stage is judged whole (stack
rules such as backup coverage or the quota need the shared context) and the report, and so the
exit code, keeps the findings and schema problems on the resources of T's namespaces.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kube.identity import ResourceId
from kube.pod_security import parse_version
from kube.tenancy import tenant_namespaces
from model.errors import InputError, Problem
from model.loader import load_environments
from pipeline.check import check_stage
from pipeline.manifest_check import ManifestCheckSettings, check_manifests
from pipeline.manifest_input import nothing_read, read_input
from pipeline.output import write_output
from pipeline.render import render_stage
from pipeline.reports import FORMATS, sarif
from pipeline.suppressions import load_skip_file
from pipeline.tenant_filter import add_tenant_option, check_known, select, tenant_of_resource
from pipeline.verdict import StageCheck
from policies.rules import GENERIC, PLATFORM, PROFILES

HELP = "check every stage (or --manifests) against the Kubernetes schemas and the policy pack"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("check", parents=[common], help=HELP, description=HELP)
    parser.add_argument(
        "--manifests",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="check these YAML files or folders instead of the rendered stages (generic profile, or with one "
        "--stage that stage's policy config)",
    )
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        help="generic: the rules that hold for any workload, fixes in the manifest's fields (the default for "
        "--manifests without --stage); platform: every rule, with a stage's config",
    )
    parser.add_argument(
        "--schema-dir",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="more schemas for custom resources (with --manifests): a CRD catalog (<group>/<kind>_<version>.json) "
        "or YAML files holding CustomResourceDefinitions; repeatable",
    )
    parser.add_argument(
        "--strict-schemas",
        action="store_true",
        help="a custom resource no schema covers fails the check (with --manifests; default: reported only)",
    )
    parser.add_argument(
        "--pod-security-version",
        metavar="VERSION",
        help="the Pod Security Standards version judged where a namespace declares none (with --manifests): "
        "latest (the default) or v1.25 .. the newest the pack knows",
    )
    parser.add_argument(
        "--skips",
        type=Path,
        metavar="FILE",
        help="a skip file (with --manifests): rules, files or resources skipped, each with a reason",
    )
    parser.add_argument("--format", choices=sorted(FORMATS), default="text", help="report format (default: text)")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the report to FILE instead of stdout")
    add_tenant_option(parser, "the report and the exit code keep the findings and schema problems on their resources")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.manifests:
        judged = [_check_manifests(args)]
    else:
        _refuse_manifest_options(args)
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
    problems = [problem for check in checks for problem in check.input_problems]
    if problems:  # bad input: the report holds them too; every other document was judged
        count = f"{len(problems)} input problem{'s' * (len(problems) != 1)}"
        print(
            f"pipeline check: invalid input\n{InputError(problems).report()}\n({count}; the rest was judged)",
            file=sys.stderr,
        )
        return InputError.exit_code
    return 0 if all(check.passed for check in checks) else 1


def _check_manifests(args: argparse.Namespace) -> tuple[StageCheck, list[dict]]:
    """The verdict on the manifests named, by the profile the options choose, and what was read."""
    profile = args.profile or (PLATFORM if args.stage else GENERIC)
    if profile == PLATFORM and (not args.stage or len(args.stage) != 1):
        raise InputError(
            [
                Problem(
                    None,
                    "--stage",
                    "the platform profile judges --manifests by exactly one stage's policy config",
                    "name the stage, e.g. --stage prod, or drop --profile platform for the generic profile",
                )
            ]
        )
    if profile == GENERIC and args.stage:
        raise InputError(
            [Problem(None, "--stage", "the generic profile judges without a stage", "drop --stage or --profile")]
        )
    if args.pod_security_version is not None and parse_version(args.pod_security_version) is None:
        raise InputError(
            [
                Problem(
                    None,
                    "--pod-security-version",
                    f"{args.pod_security_version!r} is no Pod Security version",
                    "latest, or v1.<minor> such as v1.30 (as pod-security.kubernetes.io/enforce-version takes)",
                )
            ]
        )
    skips = tuple(load_skip_file(args.skips)) if args.skips else ()
    read = read_input(args.manifests)
    if not read.manifests and read.problems:
        raise InputError(read.problems)  # nothing could be read: nothing to judge, no report to write
    if not read.manifests:
        raise nothing_read(args.manifests, read)
    env = load_environments(args.environments, args.stage)[0] if profile == PLATFORM else None
    settings = ManifestCheckSettings(
        profile, tuple(args.schema_dir), args.strict_schemas, skips, args.pod_security_version
    )
    return check_manifests(read, env, settings), [s.manifest for s in read.manifests]


def _refuse_manifest_options(args: argparse.Namespace) -> None:
    """Options that only judge --manifests are an error without it (not silently ignored)."""
    given = [
        option
        for option, value in (
            ("--profile", args.profile),
            ("--schema-dir", args.schema_dir),
            ("--strict-schemas", args.strict_schemas),
            ("--skips", args.skips),
            ("--pod-security-version", args.pod_security_version),
        )
        if value
    ]
    if given:
        raise InputError(
            [
                Problem(
                    None,
                    given[0],
                    f"{', '.join(given)} judge{'s' * (len(given) == 1)} manifests a user brings: they need --manifests",
                    "a stage's rendered manifests are judged by its own policy config",
                )
            ]
        )


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
