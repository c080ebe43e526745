"""backup-rpo: the longest gap between two backups is within the stage's recovery point objective.

The worst case is computed from the CronJob's schedule as the controller reads it: `0 2 * * *`
leaves 24 h between dumps, so it cannot meet a 1 h RPO (the production guide's own
contradiction); `0 */2 * * *` leaves 2 h, over a 90 min RPO. A backup CronJob is one labelled
`app.kubernetes.io/component: backup` or named `*backup*`.

PASS (rpo_minutes: 60):
    kind: CronJob
    metadata: {name: postgres-backup-agents}
    spec: {schedule: "*/30 * * * *"}

FAIL (rpo_minutes: 60):
    kind: CronJob
    metadata: {name: postgres-backup-agents}
    spec: {schedule: "0 2 * * *"}     # 24 h between backups
"""

from __future__ import annotations

from datetime import timedelta

from kube.cron import InvalidSchedule, worst_case_interval
from kube.workloads import mapping, title
from policies.framework import Violation, manifest_of, option, report, shown

ID = "backup-rpo"
DESCRIPTION = "A backup CronJob's worst-case interval between runs is within the stage's RPO."
REMEDIATION = (
    "Schedule the backup at least as often as the RPO (backup.schedule in the stage file), "
    "e.g. '*/30 * * * *' for a 1 h RPO."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "resource"
OPTIONS = {
    "rpo_minutes": {
        "type": "integer",
        "minimum": 1,
        "default": 1440,
        "description": "the stage's recovery point objective in minutes",
    }
}


def is_backup(manifest) -> bool:
    meta = mapping(manifest.get("metadata"))
    name = meta.get("name")
    return mapping(meta.get("labels")).get("app.kubernetes.io/component") == "backup" or (
        isinstance(name, str) and "backup" in name
    )


def _minutes(interval: timedelta) -> str:
    minutes = int(interval.total_seconds() // 60)
    return f"{minutes // 60} h" if minutes % 60 == 0 and minutes >= 60 else f"{minutes} min"


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    if not manifest or manifest.get("kind") != "CronJob" or not is_backup(manifest):
        return
    rpo = timedelta(minutes=option(args, "rpo_minutes", 1440))
    schedule = mapping(manifest.get("spec")).get("schedule")
    try:
        interval = worst_case_interval(schedule) if isinstance(schedule, str) else None
    except InvalidSchedule as error:
        report(
            report_violation,
            Violation(
                title(manifest),
                "spec.schedule",
                f"{shown(schedule)} ({error})",
                "a schedule the CronJob controller accepts",
                args.urn,
            ),
        )
        return
    if interval is None:
        report(
            report_violation,
            Violation(
                title(manifest),
                "spec.schedule",
                f"{shown(schedule)}, which (almost) never runs",
                f"at most {_minutes(rpo)} between runs (the RPO)",
                args.urn,
            ),
        )
    elif interval > rpo:
        report(
            report_violation,
            Violation(
                title(manifest),
                "spec.schedule",
                f"{shown(schedule)}, up to {_minutes(interval)} between runs",
                f"at most {_minutes(rpo)} between runs (the RPO)",
                args.urn,
            ),
        )
