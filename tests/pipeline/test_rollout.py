"""pipeline verify-rollout (scripts/verify-rollout) against a fake kubectl that records its calls."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import REPOSITORY

FAKE = """#!/bin/sh
echo "$@" >> "{log}"
case "$*" in
  *"rollout status deployment/{slow}"*) echo 'error: timed out waiting for the condition' >&2; exit 1 ;;
  *"rollout status"*) echo 'successfully rolled out'; exit 0 ;;
  *"get horizontalpodautoscalers"*) {hpas} ;;
  *"get poddisruptionbudgets"*) {pdbs} ;;
  *"get networkpolicies"*) {nps} ;;
  *"get cronjobs"*) {crons} ;;
esac
"""


def fake_kubectl(tmp_path: Path, rendered, stage: str, slow: str = "none", drop: str = "") -> tuple[dict, Path]:
    """A kubectl that knows the stage's objects (minus `drop`) and times out on the `slow` Deployment."""
    manifests = rendered[stage].manifests
    listing = {}
    for kind, key in (
        ("HorizontalPodAutoscaler", "hpas"),
        ("PodDisruptionBudget", "pdbs"),
        ("NetworkPolicy", "nps"),
        ("CronJob", "crons"),
    ):
        names = sorted({m["metadata"]["name"] for m in manifests if m["kind"] == kind} - {drop})
        listing[key] = "printf '%s\\n' " + " ".join(f"'{kind.lower()}.x/{n}'" for n in names) if names else "true"
    log = tmp_path / "calls.log"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "kubectl"
    script.write_text(FAKE.format(log=log, slow=slow, **listing))
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}, log


def run(env: dict, stage: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(REPOSITORY / "scripts" / "verify-rollout"), stage, "--timeout", "5", *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_finished_rollout_with_every_guard_rail_passes(tmp_path, rendered):
    env, log = fake_kubectl(tmp_path, rendered, "prod")
    result = run(env, "prod")
    assert result.returncode == 0, result.stderr
    assert "OK: prod (agentflow-prod)" in result.stdout
    calls = log.read_text().splitlines()
    deployments = [m for m in rendered["prod"].manifests if m["kind"] == "Deployment"]
    assert sum("rollout status" in c for c in calls) == len(deployments)
    assert all(c.startswith("--context agentflow-prod ") for c in calls)  # the stage's stack context


def test_a_rollout_that_times_out_fails_and_names_the_deployment(tmp_path, rendered):
    env, _ = fake_kubectl(tmp_path, rendered, "prod", slow="agent-service")
    result = run(env, "prod")
    assert result.returncode == 1
    assert "Deployment agent-platform-prod/agent-service did not finish its rollout within 5 s" in result.stderr
    assert "timed out waiting for the condition" in result.stderr


def test_a_missing_guard_rail_fails_and_is_named(tmp_path, rendered):
    env, _ = fake_kubectl(tmp_path, rendered, "prod", drop="postgres-backup-agents")
    result = run(env, "prod")
    assert result.returncode == 1
    assert "CronJob agent-platform-prod/postgres-backup-agents is missing" in result.stderr


def test_the_context_can_be_given(tmp_path, rendered):
    env, log = fake_kubectl(tmp_path, rendered, "dev")
    assert run(env, "dev", "--context", "kind-e2e").returncode == 0
    assert all(c.startswith("--context kind-e2e ") for c in log.read_text().splitlines())


def test_without_kubectl_the_script_says_so(tmp_path):
    tools = tmp_path / "tools"  # bash and nothing else: no kubectl on this PATH
    tools.mkdir()
    (tools / "bash").symlink_to("/bin/bash")
    env = {**os.environ, "PATH": str(tools)}
    result = subprocess.run(
        ["/bin/bash", str(REPOSITORY / "scripts" / "verify-rollout"), "dev"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2 and "kubectl is not installed" in result.stderr


def test_a_timeout_below_one_second_or_not_a_number_is_a_usage_error(capsys):
    from pipeline.cli import main

    for value, said in (("-5", "-5: a timeout is at least 1 second"), ("x", "'x': a timeout is a whole number")):
        try:
            main(["verify-rollout", "--stage", "dev", "--timeout", value])
        except SystemExit as exit:
            assert exit.code == 2
        else:
            raise AssertionError(f"--timeout {value} was accepted")
        assert said in capsys.readouterr().err
