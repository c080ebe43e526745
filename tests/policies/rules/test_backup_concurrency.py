import pytest

from policies.rules import backup_concurrency as rule
from tests.policies.helpers import check, fixture, fixtures, messages

FAIL = {
    "overlapping-dumps": [
        "CronJob agent-platform-prod/postgres-backup-agents spec.concurrencyPolicy: is not set (Allow), "
        "must be 'Forbid', so two dumps never overlap.",
        "CronJob agent-platform-prod/nightly-dump spec.concurrencyPolicy: is 'Replace', "
        "must be 'Forbid', so two dumps never overlap.",
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
