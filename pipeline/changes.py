"""Which stages a change touches: what CI's deploy must run for a push.

A stage file, a stage's stack file or a file of its folder in rendered/ (what Argo CD or Flux
deploy: a hand edit there is a change of that stage, and `render --check` refuses it) touches
that stage; any other file of rendered/ and the shared inputs (defaults, the stage
order, the schema, the model, the components, the Pulumi program, the policy pack, the
dependencies) touch every stage. The pipeline's own code deploys nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from model.errors import InputError, Problem
from model.loader import load_stage_order
from pipeline.gitops import git, repository_root
from pipeline.render import rendered_root

SHARED_PREFIXES = ("model/", "kube/", "components/", "stacks/", "policies/")
SHARED_FILES = ("pyproject.toml", "requirements.lock", "Pulumi.yaml")
NO_COMMIT = "0" * 40  # what GitHub reports as `before` when a branch is first pushed


def changed_files(repository: Path, base: str, head: str) -> list[str]:
    result = git(repository, "diff", "--name-only", f"{base}...{head}", check=False)
    if result.returncode != 0:
        raise InputError(
            [
                Problem(
                    None,
                    "",
                    f"cannot compare {base} with {head}: {result.stderr.strip()}",
                    "fetch enough history (actions/checkout with fetch-depth: 0)",
                )
            ]
        )
    return [line for line in result.stdout.splitlines() if line]


def stages_touched(files: list[str], order: tuple[str, ...], environments: str, rendered: str) -> list[str]:
    """The stages, in order, whose inputs are among the changed files (paths relative to the repository)."""
    own = {stage: {f"{environments}/{stage}.yaml", f"stacks/Pulumi.{stage}.yaml"} for stage in order}
    stack_files = {name for names in own.values() for name in names}
    touched = {stage for stage in order if own[stage] & set(files)}
    touched |= {stage for stage in order for f in files if f.startswith(f"{rendered}/{stage}/")}
    shared = [
        f
        for f in files
        if f not in stack_files
        and not any(f.startswith(f"{rendered}/{stage}/") for stage in order)
        and (f.startswith(SHARED_PREFIXES + (f"{environments}/", f"{rendered}/")) or f in SHARED_FILES)
    ]
    if shared:
        return list(order)
    return [stage for stage in order if stage in touched]


def changed_stages(environments: Path, base: str, head: str = "HEAD") -> list[str]:
    """Stages to deploy for the change base..head (every stage when base is unknown)."""
    order = load_stage_order(environments)
    if not base or base == NO_COMMIT:
        return list(order)
    repository = repository_root(environments)
    relative = os.path.relpath(environments.resolve(), repository)
    rendered = os.path.relpath(rendered_root(environments), repository)
    return stages_touched(changed_files(repository, base, head), order, relative, rendered)
