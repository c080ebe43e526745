"""scripts/deploy: the same three steps for CI and people, in order, and a clear stop when a tool is missing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import REPOSITORY


def fakes(tmp_path: Path) -> tuple[dict, Path]:
    """pulumi and kubectl that log their arguments to one file (kubectl finds every object)."""
    log = tmp_path / "calls.log"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "pulumi").write_text(f'#!/bin/sh\necho "pulumi $*" >> "{log}"\n')
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
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "REAL_LIST": str(lister),
        "PULUMI_ACCESS_TOKEN": "test-token-not-a-secret",
    }
    return env, log


def deploy(env: dict, stage: str = "dev") -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(REPOSITORY / "scripts" / "deploy"), stage],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_deploy_checks_then_runs_pulumi_up_then_verifies_the_rollout(tmp_path):
    env, log = fakes(tmp_path)
    result = deploy(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS dev:" in result.stdout  # the policy check ran first, and passed
    calls = log.read_text().splitlines()
    assert calls[0] == (
        "pulumi up --yes --stack dev --diff --policy-pack policies --policy-pack-config policies/config/dev.json"
    )
    assert all(call.startswith("kubectl --context agentflow-dev ") for call in calls[1:])
    assert any("rollout status deployment/agent-service" in call for call in calls[1:])
    assert "OK: dev (agentflow-dev)" in result.stdout


def test_deploy_stops_before_anything_when_a_tool_or_credential_is_missing(tmp_path):
    env, log = fakes(tmp_path)
    (tmp_path / "bin" / "pulumi").unlink()
    env.pop("PULUMI_ACCESS_TOKEN")
    env.pop("PULUMI_BACKEND_URL", None)
    env["PATH"] = f"{tmp_path / 'bin'}:/usr/bin:/bin"
    result = deploy(env)
    assert result.returncode == 2
    assert "deploy: missing the Pulumi CLI" in result.stderr
    assert "deploy: missing a Pulumi backend: PULUMI_ACCESS_TOKEN" in result.stderr
    assert not log.exists()
