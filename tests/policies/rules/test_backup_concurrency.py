from policies.rules import backup_concurrency as rule
from tests.policies.helpers import pass_and_fail_tests

FAIL = {
    "overlapping-dumps": [
        "CronJob agent-platform-prod/postgres-backup-agents spec.concurrencyPolicy: is not set (Allow), "
        "must be 'Forbid', so two dumps never overlap.",
        "CronJob agent-platform-prod/nightly-dump spec.concurrencyPolicy: is 'Replace', "
        "must be 'Forbid', so two dumps never overlap.",
    ],
}


test_pass, test_fail = pass_and_fail_tests(rule, FAIL)
