"""PostgresBackup: a CronJob that dumps one database to a PersistentVolumeClaim.

The dump runs with pipefail (a failed pg_dump fails the job instead of leaving a valid-looking
empty gzip), is written under a hidden partial name and renamed only once complete and
verified, and retention keeps the newest N dumps. Credentials come from the database's
ExternalSecret-managed Secret; only the schedule decides how much data a restore can lose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from components.checkov import HIGH_UID, SECRETS_AS_ENV, skip_annotations
from components.meta import AppIdentity, Manifest, object_meta
from components.network import dns_egress, network_policy, target_egress
from components.pod import container_security_context, pod_security_context, tmp_volume
from components.resource import PlatformComponent
from model.environment import Backup, Dns, EgressTarget, PodSettings

BACKUP_MOUNT = "/backup"

# Runs under bash -c; every value comes from the container's environment.
BACKUP_SCRIPT = """\
set -euo pipefail
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
final="${BACKUP_DIR}/${BACKUP_NAME}-${stamp}.sql.gz"
partial="${BACKUP_DIR}/.${BACKUP_NAME}-${stamp}.sql.gz.partial"
trap 'rm -f -- "$partial"' EXIT
pg_dump --no-password --host="$PGHOST" --port="$PGPORT" --username="$PGUSER" --dbname="$PGDATABASE" | gzip -c > "$partial"
gzip -t "$partial"
mv -- "$partial" "$final"
old=$((BACKUP_RETENTION + 1))
find "$BACKUP_DIR" -maxdepth 1 -type f -name "${BACKUP_NAME}-*.sql.gz" | sort -r | tail -n +"$old" | xargs -r rm -f --
echo "backup complete: $final"
"""


@dataclass(frozen=True)
class PostgresBackupSpec:
    """The backup of one PostgreSQL database, in the namespace of the service that owns it."""

    database: str
    namespace: str
    identity: AppIdentity
    backup: Backup
    host: str
    port: int
    credentials_secret: str  # keys: username, password
    pod: PodSettings
    dns: Dns
    postgres: EgressTarget

    @property
    def name(self) -> str:
        return f"postgres-backup-{self.database.replace('_', '-')}"

    def manifests(self) -> list[Manifest]:
        """ServiceAccount, PersistentVolumeClaim, CronJob and the job's NetworkPolicy."""
        labels = self.identity.labels()
        return [
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": object_meta(self.name, self.namespace, labels),
                "automountServiceAccountToken": False,
            },
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": object_meta(self.name, self.namespace, labels),
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": self.backup.storage_class,
                    "resources": {"requests": {"storage": self.backup.storage_size}},
                },
            },
            self._cron_job(labels),
            network_policy(
                self.name,
                self.namespace,
                labels,
                self.identity.selector(),
                [],
                [dns_egress(self.dns), target_egress(self.postgres)],
            ),
        ]

    def _env(self) -> list[dict[str, Any]]:
        secret = self.credentials_secret
        return [
            {"name": "PGHOST", "value": self.host},
            {"name": "PGPORT", "value": str(self.port)},
            {"name": "PGDATABASE", "value": self.database},
            {"name": "PGUSER", "valueFrom": {"secretKeyRef": {"name": secret, "key": "username"}}},
            {"name": "PGPASSWORD", "valueFrom": {"secretKeyRef": {"name": secret, "key": "password"}}},
            {"name": "BACKUP_DIR", "value": BACKUP_MOUNT},
            {"name": "BACKUP_NAME", "value": self.database},
            {"name": "BACKUP_RETENTION", "value": str(self.backup.retention)},
            {"name": "HOME", "value": "/tmp"},
        ]

    def _cron_job(self, labels: dict[str, str]) -> Manifest:
        tmp, tmp_mount = tmp_volume(self.pod)
        container = {
            "name": "pg-dump",
            "image": self.backup.image,
            "imagePullPolicy": "IfNotPresent",
            "command": ["/bin/bash", "-c", BACKUP_SCRIPT],
            "env": self._env(),
            "resources": {
                "requests": self.backup.resources.requests.as_dict(),
                "limits": self.backup.resources.limits.as_dict(),
            },
            "securityContext": container_security_context(),
            "volumeMounts": [{"name": "backup", "mountPath": BACKUP_MOUNT}, tmp_mount],
        }
        pod_spec = {
            "serviceAccountName": self.name,
            "automountServiceAccountToken": False,
            "restartPolicy": "OnFailure",
            "securityContext": pod_security_context(self.pod),
            "enableServiceLinks": False,
            "containers": [container],
            "volumes": [{"name": "backup", "persistentVolumeClaim": {"claimName": self.name}}, tmp],
        }
        return {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": object_meta(self.name, self.namespace, labels, skip_annotations(HIGH_UID, SECRETS_AS_ENV)),
            "spec": {
                "schedule": self.backup.schedule,
                "timeZone": "Etc/UTC",
                "concurrencyPolicy": "Forbid",
                "startingDeadlineSeconds": 300,
                "successfulJobsHistoryLimit": 3,
                "failedJobsHistoryLimit": 3,
                "jobTemplate": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "backoffLimit": 2,
                        "activeDeadlineSeconds": self.backup.active_deadline_seconds,
                        "ttlSecondsAfterFinished": 86400,
                        "template": {"metadata": {"labels": labels}, "spec": pod_spec},
                    },
                },
            },
        }


class PostgresBackup(PlatformComponent):
    """The Pulumi component of one database's backup."""

    TYPE: ClassVar[str] = "agent-platform:postgres_backup:PostgresBackup"
