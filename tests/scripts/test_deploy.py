"""scripts/deploy: the same steps for CI and people, in order, on any Pulumi backend the CLI is
logged in to, creating the stage's stack when the backend lacks it, and a clear stop (exit 2,
nothing run) when a tool, the login or the passphrase is missing.

A fake `pulumi` first on PATH records its arguments and behaves as the CLI does where it matters
here: `whoami` answers for a stored login (PULUMI_HOME/credentials.json, as `pulumi login
file://...` leaves it), PULUMI_BACKEND_URL or PULUMI_ACCESS_TOKEN, and otherwise fails as a
non-interactive session does; `stack select --create` creates a missing stack (the passphrase
provider needs PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE); `up --stack S` fails
for a stack the backend does not have.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPOSITORY

UP = "pulumi up --yes --stack dev --diff --policy-pack policies --policy-pack-config policies/config/dev.json"
SELECT = "pulumi stack select --create --secrets-provider passphrase --non-interactive dev"

FAKE_PULUMI = """#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write("pulumi " + " ".join(args) + "\\n")
print("fake-pulumi " + " ".join(args), flush=True)
home = os.environ.get("PULUMI_HOME", os.path.expanduser("~/.pulumi"))
stacks_file = os.path.join(home, "fake-stacks")
stacks = open(stacks_file).read().split() if os.path.exists(stacks_file) else []
has_passphrase = "PULUMI_CONFIG_PASSPHRASE" in os.environ or os.environ.get("PULUMI_CONFIG_PASSPHRASE_FILE")

def fail(message, code=1):
    sys.stderr.write("error: " + message + "\\n")
    sys.exit(code)

if args[0] == "whoami":
    credentials = os.path.join(home, "credentials.json")
    current = json.load(open(credentials)).get("current") if os.path.exists(credentials) else None
    if os.environ.get("PULUMI_BACKEND_URL", "").startswith("file://") or (current or "").startswith("file://"):
        print("runner")  # a DIY backend answers with the OS user
    elif os.environ.get("PULUMI_ACCESS_TOKEN") or current:
        print("agentflow-ci")
    else:
        fail("PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions")
elif args[:2] == ["stack", "select"]:
    name = args[-1]
    if name not in stacks:
        if "--create" not in args:
            fail("no stack named '%s' found" % name)
        if args[args.index("--secrets-provider") + 1] == "passphrase" and not has_passphrase:
            fail("passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables")
        os.makedirs(home, exist_ok=True)
        with open(stacks_file, "a") as f:
            f.write(name + "\\n")
        print("Created stack '%s'" % name)
elif args[0] == "up":
    name = args[args.index("--stack") + 1]
    if name not in stacks:
        fail("no stack named '%s' found" % name)
    if not has_passphrase:
        fail("passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables")
    if os.environ.get("FAKE_UP_EXIT"):
        fail("update failed", int(os.environ["FAKE_UP_EXIT"]))
    print("Resources:\\n    57 unchanged")
"""


def fakes(tmp_path: Path) -> tuple[dict, Path]:
    """pulumi and kubectl that log their arguments to one file (kubectl finds every object of rendered/dev).

    The environment has no PULUMI_* variable but PULUMI_HOME (a fresh one: logged in nowhere) and
    a passphrase.
    """
    log = tmp_path / "calls.log"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "pulumi").write_text(FAKE_PULUMI.format(python=sys.executable))
    (bin_dir / "kubectl").write_text(
        f'#!/bin/sh\necho "kubectl $*" >> "{log}"\ncase "$*" in *" get "*) exec "$REAL_LIST" "$@" ;; esac\n'
    )
    lister = bin_dir / "list-objects"
    lister.write_text(
        "#!/bin/sh\n"
        + "\n".join(
            f'case "$*" in *"get {plural}"*) {REPOSITORY}/.venv/bin/python -c "import sys,yaml,pathlib; '
            f"ns=sys.argv[1]; print('\\\\n'.join('x/'+d['metadata']['name'] for p in pathlib.Path('{REPOSITORY}/rendered/dev').rglob('*.yaml') "
            f"for d in [yaml.safe_load(p.read_text())] if d.get('kind')=='{kind}' and d['metadata'].get('namespace')==ns))\" "
            '"$(echo "$*" | sed -e "s/.* -n \\([^ ]*\\) .*/\\1/")" ;; esac'
            for kind, plural in (
                ("HorizontalPodAutoscaler", "horizontalpodautoscalers"),
                ("PodDisruptionBudget", "poddisruptionbudgets"),
                ("NetworkPolicy", "networkpolicies"),
                ("CronJob", "cronjobs"),
            )
        )
        + "\n"
    )
    for script in bin_dir.iterdir():
        script.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PULUMI_")}
    env.update(
        PATH=f"{bin_dir}:{os.environ['PATH']}",
        REAL_LIST=str(lister),
        FAKE_LOG=str(log),
        PULUMI_HOME=str(tmp_path / "pulumi-home"),
        PULUMI_CONFIG_PASSPHRASE="test-passphrase-not-a-secret",
    )
    return env, log


def login_file_backend(env: dict, tmp_path: Path) -> None:
    """What `pulumi login file://<folder>` leaves behind: the current backend in credentials.json."""
    home = Path(env["PULUMI_HOME"])
    home.mkdir(exist_ok=True)
    (home / "credentials.json").write_text(f'{{"current": "file://{tmp_path}/state", "accessTokens": {{}}}}')


def deploy(
    env: dict, stage: str = "dev", script: Path = REPOSITORY / "scripts" / "deploy"
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(script), stage],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_logged_in_to_a_file_backend_it_checks_creates_the_stack_runs_up_and_verifies(tmp_path):
    env, log = fakes(tmp_path)
    login_file_backend(env, tmp_path)  # no PULUMI_ACCESS_TOKEN, no PULUMI_BACKEND_URL
    result = deploy(env)
    assert result.returncode == 0, result.stdout + result.stderr
    pulumi_calls = [call for call in calls(log) if call.startswith("pulumi ")]
    assert pulumi_calls == ["pulumi whoami --non-interactive", SELECT, UP]
    assert all(call.startswith("kubectl --context agentflow-dev ") for call in calls(log)[3:])
    assert any("rollout status deployment/agent-service" in call for call in calls(log))
    out = result.stdout
    # the policy check passed before the stack was touched; the rollout was verified after up
    assert out.index("PASS dev:") < out.index("fake-pulumi stack select") < out.index("fake-pulumi up")
    assert out.index("fake-pulumi up") < out.index("OK: dev (agentflow-dev)")
    assert "Created stack 'dev'" in out
    assert "pulumi logged in as runner" in out


@pytest.mark.parametrize(
    "login",
    [
        {"PULUMI_ACCESS_TOKEN": "pul-test-token-not-a-secret"},  # Pulumi Cloud, as CI logs in
        {"PULUMI_BACKEND_URL": "file:///tmp/any-state"},  # a self-managed backend by variable
    ],
)
def test_any_backend_whoami_accepts_will_do_and_an_existing_stack_is_selected(tmp_path, login):
    env, log = fakes(tmp_path)
    env.update(login)
    Path(env["PULUMI_HOME"]).mkdir()
    (Path(env["PULUMI_HOME"]) / "fake-stacks").write_text("dev\n")
    result = deploy(env, script=repository_copy(tmp_path, check_exit=0)[0])  # a fake check: the backend is the point
    assert result.returncode == 0, result.stdout + result.stderr
    assert [call for call in calls(log) if call.startswith("pulumi ")] == [
        "pulumi whoami --non-interactive",
        SELECT,
        UP,
    ]
    assert "Created stack" not in result.stdout


def test_not_logged_in_it_says_how_to_log_in_and_runs_nothing(tmp_path):
    env, log = fakes(tmp_path)
    result = deploy(env)
    assert result.returncode == 2
    assert "deploy: missing a Pulumi backend: the Pulumi CLI is not logged in" in result.stderr
    assert "PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions" in result.stderr
    assert "pulumi login file://~/.pulumi-state" in result.stderr
    assert calls(log) == ["pulumi whoami --non-interactive"]  # no check, no stack, no up, no kubectl
    assert "policy check" not in result.stdout


def test_without_the_passphrase_it_stops_before_anything(tmp_path):
    env, log = fakes(tmp_path)
    login_file_backend(env, tmp_path)
    del env["PULUMI_CONFIG_PASSPHRASE"]
    result = deploy(env)
    assert result.returncode == 2
    assert (
        "deploy: missing PULUMI_CONFIG_PASSPHRASE: the dev stack uses the passphrase secrets provider" in result.stderr
    )
    assert calls(log) == ["pulumi whoami --non-interactive"]


@pytest.mark.parametrize("passphrase", [{"PULUMI_CONFIG_PASSPHRASE": ""}, {"PULUMI_CONFIG_PASSPHRASE_FILE": "FILE"}])
def test_an_empty_passphrase_or_a_passphrase_file_is_enough(tmp_path, passphrase):
    env, log = fakes(tmp_path)
    login_file_backend(env, tmp_path)
    del env["PULUMI_CONFIG_PASSPHRASE"]
    if "PULUMI_CONFIG_PASSPHRASE_FILE" in passphrase:
        (tmp_path / "passphrase").write_text("from-a-file\n")
        passphrase = {"PULUMI_CONFIG_PASSPHRASE_FILE": str(tmp_path / "passphrase")}
    env.update(passphrase)
    result = deploy(env, script=repository_copy(tmp_path, check_exit=0)[0])  # a fake check: the backend is the point
    assert result.returncode == 0, result.stdout + result.stderr
    assert UP in calls(log)


def repository_copy(tmp_path: Path, check_exit: int) -> tuple[Path, Path]:
    """scripts/deploy in a copy of the files it reads, with a fake .venv/bin/pipeline that logs to the same file."""
    root = tmp_path / "repository"
    (root / "scripts").mkdir(parents=True)
    (root / "stacks").mkdir()
    (root / ".venv" / "bin").mkdir(parents=True)
    shutil.copy2(REPOSITORY / "scripts" / "deploy", root / "scripts" / "deploy")
    shutil.copy2(REPOSITORY / "scripts" / "verify-rollout", root / "scripts" / "verify-rollout")
    shutil.copy2(REPOSITORY / "stacks" / "Pulumi.dev.yaml", root / "stacks" / "Pulumi.dev.yaml")
    log = tmp_path / "calls.log"
    pipeline = root / ".venv" / "bin" / "pipeline"
    pipeline.write_text(
        f'#!/bin/sh\necho "pipeline $*" >> "{log}"\n'
        f'case "$1" in check) echo "FAIL dev: a mandatory policy is violated"; exit {check_exit} ;; esac\n'
    )
    pipeline.chmod(0o755)
    return root / "scripts" / "deploy", log


def test_a_failing_policy_check_stops_the_deploy_before_the_stack_and_up(tmp_path):
    env, _ = fakes(tmp_path)
    login_file_backend(env, tmp_path)
    script, log = repository_copy(tmp_path, check_exit=1)
    result = deploy(env, script=script)
    assert result.returncode == 1
    assert calls(log) == ["pulumi whoami --non-interactive", "pipeline check --stage dev"]
    assert not (Path(env["PULUMI_HOME"]) / "fake-stacks").exists(), "no stack created for a refused deploy"


def test_the_same_copy_with_a_passing_check_goes_on_to_up_and_verify(tmp_path):
    """The control of the test above: the copy itself deploys when the check passes."""
    env, _ = fakes(tmp_path)
    login_file_backend(env, tmp_path)
    script, log = repository_copy(tmp_path, check_exit=0)
    result = deploy(env, script=script)
    assert result.returncode == 0, result.stdout + result.stderr
    assert calls(log)[:4] == ["pulumi whoami --non-interactive", "pipeline check --stage dev", SELECT, UP]
    assert calls(log)[4].startswith("pipeline verify-rollout ")


def test_deploy_stops_before_anything_when_a_tool_is_missing(tmp_path):
    env, log = fakes(tmp_path)
    (tmp_path / "bin" / "pulumi").unlink()
    env["PATH"] = f"{tmp_path / 'bin'}:/usr/bin:/bin"
    result = deploy(env)
    assert result.returncode == 2
    assert "deploy: missing the Pulumi CLI" in result.stderr
    assert not log.exists()


def test_a_failing_up_exits_1_and_verifies_nothing(tmp_path):
    env, _ = fakes(tmp_path)
    login_file_backend(env, tmp_path)
    env["FAKE_UP_EXIT"] = "2"  # newer CLIs exit 2 for a configuration error: not deploy's "missing" 2
    script, log = repository_copy(tmp_path, check_exit=0)
    result = deploy(env, script=script)
    assert result.returncode == 1
    assert "deploy: pulumi up failed (exit 2)" in result.stderr
    assert calls(log)[-1] == UP
