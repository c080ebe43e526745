"""backup-coverage: every PostgreSQL database a workload uses is backed up in its namespace.

A Deployment or StatefulSet container whose env sets PGDATABASE and PGHOST to literal values
uses that database. Some backup CronJob in the same namespace (as backup-rpo recognises one:
labelled `app.kubernetes.io/component: backup` or named `*backup*`, so that backup-rpo also
checks its schedule) must have a container whose env sets the same PGDATABASE and PGHOST.
A dedicated tenant's workloads (their namespace is labelled with the tenant) share the
platform's databases through their own logins: for them a backup CronJob in a shared (not a
tenant's) namespace of the stack counts too, since it dumps the whole database.
Values are compared as written (`postgres` and `postgres.data.svc.cluster.local` differ);
values taken from a Secret or ConfigMap (valueFrom) cannot be compared and are not read.

PASS:
    kind: Deployment       # env PGHOST=postgres.data.svc.cluster.local, PGDATABASE=agents
    ---
    kind: CronJob
    metadata: {name: postgres-backup-agents}   # env PGHOST=postgres.data.svc.cluster.local, PGDATABASE=agents

FAIL:
    kind: Deployment       # env PGHOST=postgres.data.svc.cluster.local, PGDATABASE=agents, and no backup CronJob for it
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from kube.network import indexed
from kube.tenancy import tenant_namespaces
from kube.workloads import containers, namespace_of, pod_template
from policies.framework import Violation, of_kind, report, shown, stack_manifests
from policies.rules.backup_rpo import is_backup

ID = "backup-coverage"
DESCRIPTION = (
    "Every PostgreSQL database a workload uses (literal PGHOST and PGDATABASE) has a backup CronJob in its namespace."
)
REMEDIATION = (
    "Declare the database as services.<name>.database in the stage file (the generator then writes its "
    "postgres-backup-<database> CronJob), or add a backup CronJob with the same PGHOST and PGDATABASE."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "stack"
OPTIONS: dict = {}


def databases(manifest: Mapping) -> Iterator[tuple[str, str, str]]:
    """(container path, PGHOST, PGDATABASE) of each container that sets both as literals."""
    template = pod_template(manifest)
    if template is None:
        return
    for container in containers(template):
        env = {
            variable.get("name"): variable.get("value")
            for _, variable in indexed(container.spec.get("env"))
            if isinstance(variable, Mapping) and "valueFrom" not in variable and isinstance(variable.get("name"), str)
        }
        host, database = env.get("PGHOST"), env.get("PGDATABASE")
        if isinstance(host, str) and host and isinstance(database, str) and database:
            yield container.path, host, database


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    tenants = tenant_namespaces(r.manifest for r in of_kind(resources, "Namespace"))
    backed_up = {
        (namespace_of(job.manifest), host, database)
        for job in of_kind(resources, "CronJob")
        if is_backup(job.manifest)
        for _, host, database in databases(job.manifest)
    }
    shared = {(host, database) for namespace, host, database in backed_up if namespace not in tenants}
    for workload in of_kind(resources, "Deployment", "StatefulSet"):
        namespace = namespace_of(workload.manifest)
        seen: set[tuple[str, str]] = set()
        for path, host, database in databases(workload.manifest):
            if (
                (host, database) in seen
                or (namespace, host, database) in backed_up
                or (namespace in tenants and (host, database) in shared)
            ):
                continue
            seen.add((host, database))
            report(
                report_violation,
                Violation(
                    workload.title,
                    f"{path}.env[PGDATABASE]",
                    f"{shown(database)} on {host}, with no backup CronJob",
                    f"backed up by a backup CronJob in {namespace or 'its namespace'}"
                    f"{' or a shared namespace' if namespace in tenants else ''} "
                    "with the same PGHOST and PGDATABASE (the RPO needs a backup)",
                    workload.urn,
                ),
            )
