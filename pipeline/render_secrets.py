"""render refuses to write a literal secret into rendered/: the committed tree is no place for one.

`check` fails a stage whose manifests hold a literal secret (the no-secret-literals rule); render
refused nothing and wrote it into rendered/, where `git add` and a GitOps agent pick it up. Here
the same rule runs on what render is about to write, and each finding is named by the stage-file
key it comes from where one can be found (release.config is what becomes ConfigMap files), else
by the rendered file. Values are never repeated.

One render is exempt: the base render of a diff or preview (pipeline.sources), which writes into
a scratch folder that it reads and removes: a pull request that takes a secret out must still
preview against the base that had it. It says so with BASE_RENDER in its environment (a flag
would break bases whose code predates it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kube.identity import resource_id
from kube.secrets import credential, literal, secret_name
from model.environment import Environment
from model.errors import Location, Problem
from model.source import KeyPath, format_path
from pipeline.policy_config import policy_config
from pipeline.policy_run import run_policies
from policies.rules import RULES

RULE_ID = "no-secret-literals"
BASE_RENDER = "PIPELINE_BASE_RENDER"  # set (to 1) by pipeline.sources for its scratch render of a base
HINT = (
    "declare the value under secrets.items (an ExternalSecret) and reference it (secret_env); "
    "rotate the value, since it was in a stage file"
)


def literal_secrets(env: Environment, manifests: tuple[dict[str, Any], ...], rendered_file) -> list[Problem]:
    """The problems that keep render from writing the stage: one per stage-file key (or rendered file) at fault.

    rendered_file(manifest) names the file a manifest would be written to.
    """
    findings = run_policies(manifests, policy_config(env), env.stage, rules=[RULES[RULE_ID]])
    if not findings:
        return []
    keys = list(_config_secrets(env))
    problems = [
        Problem(location, format_path(path), f"a literal secret ({what}) would be written to rendered/", HINT)
        for path, location, what in keys
    ]
    if not problems:  # the rule saw one where no release.config key explains it: name the rendered files
        by_id = {resource_id(m): m for m in manifests}
        for finding in findings:
            manifest = by_id.get(finding.resource_id) if finding.resource_id else None
            file = rendered_file(manifest) if manifest is not None else env.stage
            problems.append(Problem(Location(f"rendered/{env.stage}/{file}", 1, 1), "", finding.message(), HINT))
    return problems


def _config_secrets(env: Environment) -> Iterator[tuple[KeyPath, Location | None, str]]:
    """(key path, position, what) of each secret-looking value under release.config of the stage's files."""
    source = env.source

    def walk(node: Any, path: KeyPath, secret_key: bool) -> Iterator[tuple[KeyPath, Location | None, str]]:
        if isinstance(node, Mapping):
            for key, value in node.items():
                yield from walk(value, (*path, key), secret_name(key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, (*path, index), secret_key)
        elif isinstance(node, str):
            what = credential(node) or (
                "a literal value under a secret's name" if secret_key and literal(node) else None
            )
            if what:
                yield path, source.locate(path) if source else None, what

    yield from walk(env.release.config, ("release", "config"), False)
