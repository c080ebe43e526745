"""Backup and restore throughput on a real PostgreSQL server, against the bare tools' floor.

usage: .venv/bin/python -m bench.backup_restore [--megabytes 256]

Fills a database of about the given size (text with non-ASCII, jsonb, bytea), then times, in the
same run:
  backup   the rendered prod CronJob's own command (pg_dump | gzip, checked, renamed)
  restore  scripts/restore (gzip -t, drop, create, one-transaction replay)
  floor    bare `pg_dump -f plain.sql` and `psql -f plain.sql` into a fresh database
and prints seconds, MB/s of database, the ratio to the floor and the database size a 30-minute
RTO allows when the restore step gets 20 of its minutes (docs/runbooks/restore.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from model.loader import load_environment
from pipeline.render import render_stage
from tests.conftest import REPOSITORY, find
from tests.scripts import backup_job
from tests.scripts.postgres_server import ADMIN, ADMIN_PASSWORD, server_binaries, start_server

APP, APP_PASSWORD, DATABASE = "agents_app", "bench-app-password", "agents"
RESTORE_BUDGET_SECONDS = 20 * 60


def fill(server, megabytes: int) -> int:
    """Rows of about 1 KiB until the database holds `megabytes`; its size in bytes."""
    server.psql(
        "CREATE TABLE events (id bigserial PRIMARY KEY, agent text, note text, payload jsonb, body bytea)",
        DATABASE,
        APP,
        APP_PASSWORD,
    )
    rows = megabytes * 1024
    server.psql(
        "INSERT INTO events (agent, note, payload, body) "
        "SELECT 'agent-' || (g % 1000), repeat('Übersicht — 计划 ✓ ', 20) || md5(g::text), "
        "jsonb_build_object('step', g, 'tools', jsonb_build_array('search', 'code'), 'text', repeat(md5(g::text), 4)), "
        f"decode(repeat(md5((g * 7)::text), 8), 'hex') FROM generate_series(1, {rows}) AS g",
        DATABASE,
        APP,
        APP_PASSWORD,
    )
    server.psql("VACUUM ANALYZE events", DATABASE)
    return int(server.psql(f"SELECT pg_database_size('{DATABASE}')").strip())


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.monotonic()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"bench: {command[0]} failed: {result.stderr.strip()}")
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=256, help="database size to fill (default 256)")
    args = parser.parse_args()
    if server_binaries() is None:
        print("bench: skipped: PostgreSQL server binaries are not installed (make postgresql)")
        return 3
    env = load_environment(REPOSITORY / "environments", "prod")
    cron_job = find(render_stage(env).manifests, "CronJob", "postgres-backup-agents", "agent-platform-prod")
    server = start_server()
    work = Path(tempfile.mkdtemp(prefix="bench-backup-"))
    os.chmod(work, 0o777)
    try:
        server.psql(f"CREATE ROLE {APP} LOGIN PASSWORD '{APP_PASSWORD}'")
        server.psql(f"CREATE DATABASE {DATABASE} OWNER {APP}")
        size = fill(server, args.megabytes)
        libpq = {**os.environ, "PGHOST": server.host, "PGPORT": str(server.port)}
        admin = {**libpq, "PGUSER": ADMIN, "PGPASSWORD": ADMIN_PASSWORD}

        started = time.monotonic()
        result = backup_job.run_backup(
            cron_job, server, work / "backup", {"username": APP, "password": APP_PASSWORD}, timeout=3600
        )
        backup = time.monotonic() - started
        if result.returncode != 0:
            sys.exit(f"bench: the backup failed: {result.stderr.strip()}")
        (dump,) = sorted((work / "backup").glob(f"{DATABASE}-*.sql.gz"))
        dump_bytes = dump.stat().st_size

        plain = work / "plain.sql"
        floor_dump = timed(
            ["pg_dump", "--no-password", "-U", APP, "-d", DATABASE, "-f", str(plain)],
            {**libpq, "PGPASSWORD": APP_PASSWORD},
        )

        started = time.monotonic()
        result = backup_job.run_restore(server, dump, DATABASE, timeout=3600)
        restore = time.monotonic() - started
        if result.returncode != 0:
            sys.exit(f"bench: the restore failed: {result.stderr.strip()}")

        server.psql("CREATE DATABASE floor_copy")
        floor_restore = timed(["psql", "-X", "-q", "-d", "floor_copy", "-f", str(plain)], admin)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    mb = size / 1e6
    print(f"database {mb:.0f} MB, compressed dump {dump_bytes / 1e6:.0f} MB")
    print(f"{'step':<10}{'seconds':>10}{'MB/s':>10}{'floor s':>10}{'ratio':>8}")
    for name, seconds, floor in (("backup", backup, floor_dump), ("restore", restore, floor_restore)):
        print(f"{name:<10}{seconds:>10.1f}{mb / seconds:>10.1f}{floor:>10.1f}{seconds / floor:>8.2f}")
    allowed = RESTORE_BUDGET_SECONDS * mb / restore / 1000
    print(f"a 30-minute RTO (20 minutes of restore) allows about {allowed:.0f} GB of database at this speed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
