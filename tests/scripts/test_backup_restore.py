"""The backup CronJob, proven on a real PostgreSQL server: back up, drop, restore, compare every row.

The command and environment come from the rendered prod CronJob (not a copy of the script):
the same `bash -c` script, its env with the secrets supplied and PGHOST/PGPORT pointed at the
test server, and the backup volume's mount path mapped to a temporary folder.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import find
from tests.scripts import backup_job
from tests.scripts.postgres_server import server_binaries, start_server

APP, APP_PASSWORD, DATABASE = "agents_app", "app-password-for-tests", "agents"
CREDENTIALS = {"username": APP, "password": APP_PASSWORD}
TABLES = ("agents", "documents")

pytestmark = pytest.mark.skipif(
    server_binaries() is None, reason="PostgreSQL server binaries are not installed (`make test` installs them)"
)


@pytest.fixture(scope="module")
def server():
    server = start_server()
    server.psql(f"CREATE ROLE {APP} LOGIN PASSWORD '{APP_PASSWORD}'")
    server.psql(f"CREATE DATABASE {DATABASE} OWNER {APP}")
    yield server
    server.stop()


@pytest.fixture
def populated(server):
    """A database with non-ASCII text, NULLs, a bytea column and a large object."""
    server.psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    server.psql(f"CREATE DATABASE {DATABASE} OWNER {APP}")
    server.psql(
        "CREATE TABLE agents (id serial PRIMARY KEY, name text NOT NULL, note text, settings jsonb);"
        "INSERT INTO agents (name, note, settings) VALUES "
        "('planner', 'Übersicht — 计划 ✓', '{\"max_iterations\": 15}'), ('idle', NULL, NULL), "
        "('quote''s', E'line\\nbreak\\ttab', '[]');"
        "CREATE TABLE documents (id serial PRIMARY KEY, agent integer REFERENCES agents(id), body bytea, blob oid);"
        "INSERT INTO documents (agent, body, blob) VALUES "
        "(1, '\\x00ff10'::bytea, lo_from_bytea(0, convert_to('große Datei', 'UTF8'))), (2, NULL, NULL);",
        database=DATABASE,
        user=APP,
        password=APP_PASSWORD,
    )
    return server


def snapshot(server) -> dict[str, str]:
    out = {table: server.psql(f"SELECT * FROM {table} ORDER BY id", DATABASE, APP, APP_PASSWORD) for table in TABLES}
    out["large objects"] = server.psql(
        "SELECT convert_from(lo_get(blob), 'UTF8') FROM documents WHERE blob IS NOT NULL", DATABASE, APP, APP_PASSWORD
    )
    return out


@pytest.fixture(scope="module")
def cron_job(rendered) -> dict:
    return find(rendered["prod"].manifests, "CronJob", "postgres-backup-agents", "agent-platform-prod")


def run_backup(cron_job, server, backup_dir: Path, script_edit=None, **overrides) -> subprocess.CompletedProcess:
    return backup_job.run_backup(cron_job, server, backup_dir, CREDENTIALS, script_edit, **overrides)


def backups(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{DATABASE}-*.sql.gz"))


def test_backup_then_restore_returns_every_row(populated, cron_job, tmp_path):
    before = snapshot(populated)
    assert "Übersicht — 计划 ✓" in before["agents"] and "große Datei" in before["large objects"]
    result = run_backup(cron_job, populated, tmp_path / "backup")
    assert result.returncode == 0, result.stderr
    (dump,) = backups(tmp_path / "backup")
    assert b"CREATE TABLE public.agents" in gzip.decompress(dump.read_bytes())
    populated.psql(f"DROP DATABASE {DATABASE} WITH (FORCE)")
    restored = backup_job.run_restore(populated, dump, DATABASE, APP)
    assert restored.returncode == 0, restored.stderr
    assert snapshot(populated) == before
    assert owner(populated) == APP


def owner(server) -> str:
    return server.psql(f"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{DATABASE}'").strip()


def test_restore_over_a_damaged_database_keeps_its_owner_so_the_service_can_still_migrate(
    populated, cron_job, tmp_path
):
    before = snapshot(populated)
    assert run_backup(cron_job, populated, tmp_path / "backup").returncode == 0
    (dump,) = backups(tmp_path / "backup")
    populated.psql("DELETE FROM documents", DATABASE, APP, APP_PASSWORD)  # the damage
    restored = backup_job.run_restore(populated, dump, DATABASE)
    assert restored.returncode == 0, restored.stderr
    assert snapshot(populated) == before
    assert owner(populated) == APP
    populated.psql("CREATE TABLE migration_check (id int)", DATABASE, APP, APP_PASSWORD)


def test_restore_of_a_lost_database_asks_for_its_owner_before_touching_anything(populated, cron_job, tmp_path):
    assert run_backup(cron_job, populated, tmp_path / "backup").returncode == 0
    (dump,) = backups(tmp_path / "backup")
    populated.psql(f"DROP DATABASE {DATABASE} WITH (FORCE)")
    result = backup_job.run_restore(populated, dump, DATABASE)
    assert result.returncode == 2
    assert "name its owner role" in result.stderr
    assert owner(populated) == ""


def test_an_unreachable_database_fails_the_job_and_leaves_no_backup(populated, cron_job, tmp_path):
    result = run_backup(cron_job, populated, tmp_path / "backup", PGPORT="1")
    assert result.returncode != 0
    assert backups(tmp_path / "backup") == []
    assert list((tmp_path / "backup").iterdir()) == []  # no partial file either


def fake_pg_dump(folder: Path) -> str:
    """A pg_dump that writes half a dump and then fails, first on PATH."""
    folder.mkdir()
    script = folder / "pg_dump"
    script.write_text(
        "#!/bin/sh\necho 'CREATE TABLE public.agents (id integer);'\necho 'connection lost' >&2\nexit 1\n"
    )
    script.chmod(0o755)
    return f"{folder}:{os.environ['PATH']}"


def test_a_dump_that_fails_half_way_fails_the_job_and_leaves_no_good_looking_file(populated, cron_job, tmp_path):
    result = run_backup(cron_job, populated, tmp_path / "backup", PATH=fake_pg_dump(tmp_path / "bin"))
    assert result.returncode != 0
    assert list((tmp_path / "backup").iterdir()) == []


def test_without_pipefail_the_same_failure_would_pass_unnoticed(populated, cron_job, tmp_path):
    """Why the script sets pipefail: gzip's success would hide pg_dump's failure."""
    result = run_backup(
        cron_job,
        populated,
        tmp_path / "backup",
        PATH=fake_pg_dump(tmp_path / "bin"),
        script_edit=lambda script: script.replace("set -euo pipefail", "set -eu"),
    )
    assert result.returncode == 0
    assert len(backups(tmp_path / "backup")) == 1


def test_retention_keeps_the_newest_backups(populated, cron_job, tmp_path):
    folder = tmp_path / "backup"
    for _ in range(3):
        assert run_backup(cron_job, populated, folder, BACKUP_RETENTION="2").returncode == 0
        time.sleep(1.1)  # the dump's name has second precision
    kept = backups(folder)
    assert len(kept) == 2
    assert kept == sorted(kept)[-2:]


def test_restore_refuses_a_corrupt_dump_before_dropping_anything(populated, tmp_path):
    before = snapshot(populated)
    corrupt = tmp_path / f"{DATABASE}-20260101T000000Z.sql.gz"
    corrupt.write_bytes(gzip.compress(b"CREATE TABLE x (id int);\n")[:-8])
    result = backup_job.run_restore(populated, corrupt, DATABASE)
    assert result.returncode != 0
    assert snapshot(populated) == before
