"""pipeline verify-rollout --stage S: after a deploy, wait for the rollouts and check the guard rails."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from model.errors import InputError, Problem
from model.loader import load_environments
from pipeline.commands.scale import one_stage
from pipeline.rollout import stack_context, verify_rollout

HELP = "wait for a stage's Deployments to roll out and check its HPAs, PDBs, NetworkPolicies and CronJobs exist"


def add_parser(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("verify-rollout", parents=[common], help=HELP, description=HELP)
    parser.add_argument("--context", metavar="NAME", help="kubeconfig context (default: the stage's stack file)")
    parser.add_argument(
        "--timeout", type=_seconds, default=600, metavar="SECONDS", help="per Deployment, at least 1 (default 600)"
    )
    parser.set_defaults(run=run)


def _seconds(text: str) -> int:
    """A positive whole number of seconds (argparse reports the error as a usage error, exit 2)."""
    try:
        seconds = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: a timeout is a whole number of seconds") from None
    if seconds < 1:
        raise argparse.ArgumentTypeError(f"{text}: a timeout is at least 1 second")
    return seconds


def run(args: argparse.Namespace) -> int:
    stage = one_stage(args)
    if shutil.which("kubectl") is None:
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    "kubectl is not installed",
                    "install it (make kubectl) and configure the stage's cluster context",
                )
            ]
        )
    (env,) = load_environments(args.environments, [stage])
    context = args.context or stack_context(Path(__file__).resolve().parents[2], stage)
    report = verify_rollout(env, context, args.timeout)
    for problem in report.problems:
        print(f"rollout: {problem}", file=sys.stderr)
    print(
        f"{'OK' if report.passed else 'FAILED'}: {stage} ({context or 'current context'}): "
        f"{report.checked} objects checked, {len(report.problems)} problems"
    )
    return 0 if report.passed else 1
