"""backup-concurrency: a backup CronJob never runs two dumps at once.

concurrencyPolicy defaults to Allow: when a dump outlasts the schedule's interval (a large
database, a slow volume) the next one starts beside it, both load the database and write to the
same volume, and they can pile up. Replace is no better: it kills the running dump, so a dump
longer than the interval never completes. A backup CronJob (labelled
`app.kubernetes.io/component: backup` or named `*backup*`, as backup-rpo defines it) sets
concurrencyPolicy: Forbid.

PASS:
    kind: CronJob
    metadata: {name: postgres-backup-agents}
    spec: {schedule: "*/30 * * * *", concurrencyPolicy: Forbid}

FAIL:
    kind: CronJob
    metadata: {name: postgres-backup-agents}
    spec: {schedule: "*/30 * * * *"}     # Allow by default
"""

from __future__ import annotations

from kube.workloads import mapping, title
from policies.framework import Violation, manifest_of, report, shown
from policies.rules.backup_rpo import is_backup

ID = "backup-concurrency"
DESCRIPTION = "A backup CronJob sets concurrencyPolicy: Forbid, so two dumps never overlap."
REMEDIATION = (
    "The generator sets concurrencyPolicy: Forbid on its postgres-backup-<database> CronJobs; "
    "set it on a hand-written backup CronJob."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "resource"
OPTIONS: dict = {}


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    if not manifest or manifest.get("kind") != "CronJob" or not is_backup(manifest):
        return
    policy = mapping(manifest.get("spec")).get("concurrencyPolicy")
    if policy != "Forbid":
        report(
            report_violation,
            Violation(
                title(manifest),
                "spec.concurrencyPolicy",
                "not set (Allow)" if policy is None else shown(policy),
                "'Forbid', so two dumps never overlap",
                args.urn,
            ),
        )
