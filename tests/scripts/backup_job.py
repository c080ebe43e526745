"""The backup CronJob's own command and the restore script, run against a real server (tests and bench)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from tests.conftest import REPOSITORY
from tests.scripts.postgres_server import ADMIN, ADMIN_PASSWORD, Server


def backup_command(
    cron_job: Mapping, server: Server, backup_dir: Path, credentials: Mapping[str, str], **overrides: str
) -> tuple[list[str], dict[str, str]]:
    """The CronJob container's own command and env, pointed at the test server and folder.

    `credentials` are the values of the Secret keys the env refers to (username, password).
    """
    pod = cron_job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    mount = next(m["mountPath"] for m in container["volumeMounts"] if m["name"] == "backup")
    env = {}
    for item in container["env"]:
        if "valueFrom" in item:
            env[item["name"]] = credentials[item["valueFrom"]["secretKeyRef"]["key"]]
        else:
            env[item["name"]] = str(backup_dir) if item["value"] == mount else item["value"]
    env.update(PGHOST=server.host, PGPORT=str(server.port), HOME=str(backup_dir.parent), PATH=os.environ["PATH"])
    env.update(overrides)
    return container["command"], env


def run_backup(
    cron_job: Mapping,
    server: Server,
    backup_dir: Path,
    credentials: Mapping[str, str],
    script_edit=None,
    timeout: int = 120,
    **overrides: str,
) -> subprocess.CompletedProcess:
    """Run the CronJob's container command once, the backup volume mapped to `backup_dir`."""
    backup_dir.mkdir(exist_ok=True)  # the mounted claim, in the pod
    command, env = backup_command(cron_job, server, backup_dir, credentials, **overrides)
    if script_edit:
        command = [*command[:-1], script_edit(command[-1])]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def run_restore(server: Server, dump: Path, *arguments: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """scripts/restore DUMP ARGUMENTS... as the cluster's admin role, as the runbook says."""
    env = {
        **os.environ,
        "PGHOST": server.host,
        "PGPORT": str(server.port),
        "PGUSER": ADMIN,
        "PGPASSWORD": ADMIN_PASSWORD,
    }
    return subprocess.run(
        [str(REPOSITORY / "scripts" / "restore"), str(dump), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
