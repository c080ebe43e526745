"""PostgresBackup: one CronJob per database, by value, and its own script run for real with bash."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from croniter import croniter

from kube.quantity import parse_quantity
from tests.conftest import STAGES, find

AGENT_DATABASES = ("agents", "tasks", "tools", "users", "tenants", "costs")
TRAINING_DATABASES = ("finetuning", "hpo", "datasets")
NAMESPACES = [(stage, f"{family}-{stage}") for stage in STAGES for family in ("agent-platform", "model-training")]


def cron_job(rendered, stage: str, database: str, family: str = "agent-platform") -> dict:
    return find(rendered[stage].manifests, "CronJob", f"postgres-backup-{database}", f"{family}-{stage}")


def pod_spec(job: dict) -> dict:
    return job["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def the_container(job: dict) -> dict:
    (container,) = pod_spec(job)["containers"]
    return container


def env_of(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container["env"]}


def pvc_mount(job: dict) -> str:
    """Where the backup PersistentVolumeClaim is mounted in the container."""
    spec = pod_spec(job)
    (volume,) = [v for v in spec["volumes"] if "persistentVolumeClaim" in v]
    (mount,) = [m for m in the_container(job)["volumeMounts"] if m["name"] == volume["name"]]
    return mount["mountPath"]


# --- One CronJob per database --------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_one_cron_job_per_database_in_the_owning_services_namespace(rendered, environments, stage):
    env = environments[stage]
    expected = {(f"postgres-backup-{s.database}", env.namespace_name) for s in env.services if s.database}
    expected |= {
        (f"postgres-backup-{s.database}", env.training_namespace_name) for s in env.training.services if s.database
    }
    jobs = {
        (m["metadata"]["name"], m["metadata"]["namespace"]) for m in rendered[stage].manifests if m["kind"] == "CronJob"
    }
    assert jobs == expected


def test_the_databases_are_the_services_databases(rendered):
    jobs = {
        (m["metadata"]["namespace"], m["metadata"]["name"])
        for m in rendered["prod"].manifests
        if m["kind"] == "CronJob"
    }
    assert jobs == (
        {("agent-platform-prod", f"postgres-backup-{db}") for db in AGENT_DATABASES}
        | {("model-training-prod", f"postgres-backup-{db}") for db in TRAINING_DATABASES}
    )


# --- Schedule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stage, schedule", [("prod", "*/30 * * * *"), ("staging", "0 */6 * * *"), ("dev", "0 2 * * *")]
)
def test_schedule_is_the_stages(rendered, stage, schedule):
    spec = cron_job(rendered, stage, "agents")["spec"]
    assert spec["schedule"] == schedule
    assert spec["timeZone"] == "Etc/UTC"


@pytest.mark.parametrize("stage", STAGES)
def test_backup_interval_does_not_exceed_the_stages_rpo(rendered, environments, stage):
    schedule = cron_job(rendered, stage, "agents")["spec"]["schedule"]
    runs = croniter(schedule, datetime(2026, 1, 1))
    times = [runs.get_next(datetime) for _ in range(24 * 2 * 8)]
    longest = max(later - earlier for earlier, later in zip(times, times[1:], strict=False))
    assert longest <= timedelta(minutes=environments[stage].targets.rpo_minutes)


def test_prod_rpo_is_one_hour(environments):
    assert environments["prod"].targets.rpo_minutes == 60


def test_runs_never_overlap_and_keep_a_short_history(rendered):
    spec = cron_job(rendered, "prod", "agents")["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["successfulJobsHistoryLimit"] == 3
    assert spec["failedJobsHistoryLimit"] == 3
    assert spec["startingDeadlineSeconds"] == 300


def test_job_retries_and_deadline(rendered):
    job_spec = cron_job(rendered, "prod", "agents")["spec"]["jobTemplate"]["spec"]
    assert job_spec["backoffLimit"] == 2
    assert job_spec["activeDeadlineSeconds"] == 3600


def test_restart_policy_is_on_failure(rendered):
    assert pod_spec(cron_job(rendered, "prod", "agents"))["restartPolicy"] == "OnFailure"


# --- Container -----------------------------------------------------------------------------------


def test_credentials_come_from_the_databases_secret(rendered):
    env = env_of(the_container(cron_job(rendered, "prod", "agents")))
    assert env["PGPASSWORD"]["valueFrom"] == {
        "secretKeyRef": {"name": "postgres-agents-credentials", "key": "password"}
    }
    assert env["PGUSER"]["valueFrom"] == {"secretKeyRef": {"name": "postgres-agents-credentials", "key": "username"}}
    assert "value" not in env["PGPASSWORD"] and "value" not in env["PGUSER"]


def test_connection_settings_are_the_stages_postgres(rendered):
    env = env_of(the_container(cron_job(rendered, "prod", "agents")))
    assert {name: env[name]["value"] for name in ("PGHOST", "PGPORT", "PGDATABASE")} == {
        "PGHOST": "postgres.data.svc.cluster.local",
        "PGPORT": "5432",
        "PGDATABASE": "agents",
    }


@pytest.mark.parametrize("stage, retention", [("prod", "96"), ("staging", "8"), ("dev", "3")])
def test_retention_is_the_stages(rendered, stage, retention):
    assert env_of(the_container(cron_job(rendered, stage, "agents")))["BACKUP_RETENTION"]["value"] == retention


def test_command_runs_pg_dump_piped_to_gzip_under_pipefail(rendered):
    command = the_container(cron_job(rendered, "prod", "agents"))["command"]
    assert command[:2] == ["/bin/bash", "-c"]
    lines = command[2].splitlines()
    assert lines[0] == "set -euo pipefail"
    (dump,) = [line for line in lines if "pg_dump" in line]
    assert re.search(r"\bpg_dump\b.*\|\s*gzip\b", dump)


def test_backup_runs_the_pinned_postgres_image_with_resources(rendered):
    container = the_container(cron_job(rendered, "prod", "agents"))
    assert container["image"] == (
        "docker.io/library/postgres:16.4@sha256:e62fbf9d3e2b49816a32c400ed2dba83e3b361e6833e624024309c35d334b412"
    )
    assert container["resources"] == {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }


def test_backup_pod_is_restricted(rendered):
    job = cron_job(rendered, "prod", "agents")
    spec = pod_spec(job)
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    context = the_container(job)["securityContext"]
    assert (context["allowPrivilegeEscalation"], context["readOnlyRootFilesystem"], context["capabilities"]) == (
        False,
        True,
        {"drop": ["ALL"]},
    )
    assert spec["automountServiceAccountToken"] is False


# --- Storage -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stage, size, storage_class",
    [("prod", "500Gi", "standard-retain"), ("staging", "20Gi", "standard"), ("dev", "5Gi", "standard")],
)
def test_pvc_size_and_class_per_stage(rendered, stage, size, storage_class):
    pvc = find(rendered[stage].manifests, "PersistentVolumeClaim", "postgres-backup-agents", f"agent-platform-{stage}")
    assert pvc["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "storageClassName": storage_class,
        "resources": {"requests": {"storage": size}},
    }


def test_pvc_is_mounted_at_backup_and_is_where_the_script_writes(rendered):
    job = cron_job(rendered, "prod", "agents")
    volumes = pod_spec(job)["volumes"]
    assert {"name": "backup", "persistentVolumeClaim": {"claimName": "postgres-backup-agents"}} in volumes
    assert pvc_mount(job) == "/backup"
    assert env_of(the_container(job))["BACKUP_DIR"]["value"] == "/backup"


@pytest.mark.parametrize(
    "stage, namespace",
    [(stage, f"agent-platform-{stage}") for stage in STAGES],
    ids=[f"agent-platform-{stage}" for stage in STAGES],
)
def test_backup_pvcs_fit_the_storage_quota(rendered, stage, namespace):
    hard = find(rendered[stage].manifests, "ResourceQuota", "quota", namespace)["spec"]["hard"]
    pvcs = [
        m
        for m in rendered[stage].manifests
        if m["kind"] == "PersistentVolumeClaim" and m["metadata"]["namespace"] == namespace
    ]
    assert len(pvcs) <= int(hard["persistentvolumeclaims"])
    total = sum(parse_quantity(p["spec"]["resources"]["requests"]["storage"]) for p in pvcs)
    assert total <= parse_quantity(hard["requests.storage"])


@pytest.mark.parametrize("stage, namespace", [pytest.param(stage, ns, id=ns) for stage, ns in NAMESPACES])
def test_backup_container_is_admitted_by_the_limit_range(rendered, stage, namespace):
    (limits,) = find(rendered[stage].manifests, "LimitRange", "limits", namespace)["spec"]["limits"]
    rejected = []
    for job in (
        m for m in rendered[stage].manifests if m["kind"] == "CronJob" and m["metadata"]["namespace"] == namespace
    ):
        resources = the_container(job)["resources"]
        for resource in ("cpu", "memory"):
            request = parse_quantity(resources["requests"][resource])
            limit = parse_quantity(resources["limits"][resource])
            if limit / request > parse_quantity(limits["maxLimitRequestRatio"][resource]) or limit > parse_quantity(
                limits["max"][resource]
            ):
                rejected.append((job["metadata"]["name"], resource))
    assert rejected == []


# --- NetworkPolicy -------------------------------------------------------------------------------


def test_network_policy_selects_the_backup_pods(rendered):
    manifests = rendered["prod"].manifests
    policy = find(manifests, "NetworkPolicy", "postgres-backup-agents", "agent-platform-prod")
    labels = cron_job(rendered, "prod", "agents")["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    selector = policy["spec"]["podSelector"]["matchLabels"]
    assert selector and selector.items() <= labels.items()
    other = cron_job(rendered, "prod", "tasks")["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    assert not selector.items() <= other.items()


def test_network_policy_allows_no_ingress_and_egress_only_to_dns_and_postgres(rendered):
    spec = find(rendered["prod"].manifests, "NetworkPolicy", "postgres-backup-agents", "agent-platform-prod")["spec"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    assert spec["ingress"] == []
    assert spec["egress"] == [
        {
            "to": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                }
            ],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
        },
        {"ports": [{"protocol": "TCP", "port": 5432}]},
    ]


# --- The script, run for real --------------------------------------------------------------------

FAKE_OUTPUT = "-- PostgreSQL database dump (fake)\nCREATE TABLE agents (id int);\n"
BACKUP_FILE = re.compile(r"^agents-\d{8}T\d{6}Z\.sql\.gz$")


@pytest.fixture
def run_backup(rendered, tmp_path):
    """Runs the rendered CronJob's command with its env, a fake pg_dump first on PATH and the
    backup mount mapped to tmp_path/backup. Returns (completed process, backup directory)."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    backup_dir = tmp_path / "backup"
    backup_dir.mkdir()

    def run(pg_dump_body: str, stage: str = "prod") -> tuple[subprocess.CompletedProcess, Path]:
        fake = bin_dir / "pg_dump"
        fake.write_text("#!/bin/sh\n" + pg_dump_body)
        fake.chmod(0o755)
        job = cron_job(rendered, stage, "agents")
        container = the_container(job)
        mount = pvc_mount(job)
        env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}"}
        for variable in container["env"]:
            if "value" in variable:
                value = variable["value"]
                env[variable["name"]] = str(backup_dir) + value[len(mount) :] if value.startswith(mount) else value
            else:
                env[variable["name"]] = f"fake-{variable['valueFrom']['secretKeyRef']['key']}"
        env["HOME"] = str(tmp_path)
        command = list(container["command"])
        command[0] = shutil.which("bash")
        process = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30, cwd=tmp_path)
        return process, backup_dir

    return run


def test_successful_dump_leaves_exactly_one_gzip_of_the_dump(run_backup):
    process, backup_dir = run_backup(f"cat <<'EOF'\n{FAKE_OUTPUT}EOF\n")
    assert process.returncode == 0, process.stderr
    files = sorted(p.name for p in backup_dir.iterdir())
    assert len(files) == 1 and BACKUP_FILE.match(files[0]), files
    assert gzip.decompress((backup_dir / files[0]).read_bytes()).decode() == FAKE_OUTPUT


def test_pg_dump_gets_the_connection_from_the_env(run_backup, tmp_path):
    record = tmp_path / "args"
    process, _ = run_backup(f'printf "%s\\n" "$@" "PGPASSWORD=$PGPASSWORD" > "{record}"\necho dump\n')
    assert process.returncode == 0, process.stderr
    assert record.read_text().splitlines() == [
        "--no-password",
        "--host=postgres.data.svc.cluster.local",
        "--port=5432",
        "--username=fake-username",
        "--dbname=agents",
        "PGPASSWORD=fake-password",
    ]


def test_failing_pg_dump_fails_the_job_and_leaves_no_backup(run_backup):
    process, backup_dir = run_backup("echo 'partial output'\necho 'connection lost' >&2\nexit 3\n")
    assert process.returncode != 0
    assert [p.name for p in backup_dir.iterdir()] == []  # neither a backup nor a partial file


def test_retention_keeps_the_newest_n(run_backup, rendered, tmp_path):
    retention = int(env_of(the_container(cron_job(rendered, "dev", "agents")))["BACKUP_RETENTION"]["value"])
    assert retention == 3
    backup_dir = tmp_path / "backup"  # where run_backup maps the mount
    old = [f"agents-2020010{day}T000000Z.sql.gz" for day in range(1, 6)]
    for name in old:
        (backup_dir / name).write_bytes(gzip.compress(b"old"))
    (backup_dir / "notes.txt").write_text("not a backup")
    (backup_dir / "tasks-20200101T000000Z.sql.gz").write_bytes(gzip.compress(b"other database"))
    process, _ = run_backup("echo dump\n", stage="dev")
    assert process.returncode == 0, process.stderr
    remaining = sorted(p.name for p in backup_dir.iterdir() if p.name.startswith("agents-"))
    new = [name for name in remaining if name not in old]
    assert len(new) == 1 and BACKUP_FILE.match(new[0])
    assert remaining == sorted([*old[-(retention - 1) :], *new])
    assert (backup_dir / "notes.txt").exists() and (backup_dir / "tasks-20200101T000000Z.sql.gz").exists()
