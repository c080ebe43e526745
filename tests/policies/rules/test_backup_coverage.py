from policies.rules import backup_coverage as rule
from tests.policies.helpers import pass_and_fail_tests

MUST = (
    "must be backed up by a backup CronJob in agent-platform-prod with the same PGHOST and PGDATABASE "
    "(the RPO needs a backup)."
)
FAIL = {
    "no-backup": [
        "Deployment agent-platform-prod/agent-service spec.template.spec.containers[agent].env[PGDATABASE]: "
        f"is 'agents' on postgres.data.svc.cluster.local, with no backup CronJob, {MUST}",
        "StatefulSet agent-platform-prod/user-service spec.template.spec.containers[user].env[PGDATABASE]: "
        f"is 'users' on postgres.data.svc.cluster.local, with no backup CronJob, {MUST}",
    ],
    "tenant-backup-in-other-tenant": [
        "Deployment tenant-acme-prod/agent-service spec.template.spec.containers[agent].env[PGDATABASE]: "
        "is 'agents' on postgres.data.svc.cluster.local, with no backup CronJob, must be backed up by a backup "
        "CronJob in tenant-acme-prod or a shared namespace with the same PGHOST and PGDATABASE "
        "(the RPO needs a backup).",
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL)


def test_env_items_of_the_wrong_shape_are_skipped_not_crashed_on():
    """A foreign manifest's env may hold a string or a name that is a mapping (the schema check reports those)."""
    from policies.rules.backup_coverage import databases

    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "env": ["PGHOST", {"name": {"a": 1}}]}]}}},
    }
    assert list(databases(manifest)) == []
