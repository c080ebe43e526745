import pytest

from policies.rules import backup_coverage as rule
from tests.policies.helpers import check, fixture, fixtures, messages

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


@pytest.mark.parametrize("name", fixtures(rule, "pass"))
def test_pass(name):
    assert check(rule, fixture(rule, "pass", name)) == []


@pytest.mark.parametrize("name", fixtures(rule, "fail"))
def test_fail(name):
    findings = check(rule, fixture(rule, "fail", name))
    assert messages(findings) == FAIL[name]
    assert {f.rule_id for f in findings} == {rule.ID}
