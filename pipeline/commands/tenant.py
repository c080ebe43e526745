"""pipeline tenant add NAME --plan P --stage S; pipeline tenant remove NAME --stage S --yes.

A dedicated tenant is one entry of a stage file's `tenants` (NAME: {plan: P}); it runs in its
own namespace, <prefix>-NAME-<stage>. Adding one only creates resources; removing one deletes
its namespace and everything in it, so it is written only with --yes.
"""

from __future__ import annotations

import argparse

from pipeline.commands._stage_edit import add_common, finish
from pipeline.commands.scale import one_stage
from pipeline.tenants import add_tenant, remove_tenant

HELP = "add or remove a dedicated tenant of one stage (its own namespace and services)"
ADD_HELP = "add a tenant on a plan to one stage: writes NAME: {plan: P} into its tenants"
REMOVE_HELP = "remove a tenant from one stage: deletes its namespace and everything in it (needs --yes)"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("tenant", help=HELP, description=HELP)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    add = actions.add_parser("add", parents=[common], help=ADD_HELP, description=ADD_HELP)
    add.add_argument("name", metavar="NAME", help="the tenant: a DNS-1123 label, e.g. acme")
    add.add_argument("--plan", required=True, metavar="P", help="one of the plans of defaults.yaml (plans:)")
    add_common(add)
    add.set_defaults(run=run_add, command="tenant add")  # command: what messages call it

    remove = actions.add_parser("remove", parents=[common], help=REMOVE_HELP, description=REMOVE_HELP)
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("--yes", action="store_true", help="confirm: delete the tenant's namespace and its data")
    add_common(remove)
    remove.set_defaults(run=run_remove, command="tenant remove")


def run_add(args: argparse.Namespace) -> int:
    return finish(args, add_tenant(args.environments, one_stage(args), args.name, args.plan))


def run_remove(args: argparse.Namespace) -> int:
    return finish(args, remove_tenant(args.environments, one_stage(args), args.name), confirmed=args.yes)
