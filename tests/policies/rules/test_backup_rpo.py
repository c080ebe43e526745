import pytest

from policies.rules import backup_rpo as rule
from tests.policies.helpers import check, fixture, messages


def test_a_backup_as_often_as_the_rpo_passes():
    assert check(rule, fixture(rule, "pass", "half-hourly"), rpo_minutes=30) == []


def test_the_documents_daily_backup_misses_a_one_hour_rpo():
    findings = check(rule, fixture(rule, "fail", "contradictions"), rpo_minutes=60)
    assert messages(findings)[0] == (
        "CronJob agent-platform-prod/postgres-backup-agents spec.schedule: is '0 2 * * *', up to 24 h between runs, "
        "must be at most 1 h between runs (the RPO)."
    )
    assert findings[0].mandatory and findings[0].remediation == rule.REMEDIATION


def test_every_two_hours_misses_a_ninety_minute_rpo():
    assert messages(check(rule, fixture(rule, "fail", "contradictions"), rpo_minutes=90))[1] == (
        "CronJob agent-platform-prod/tasks-backup spec.schedule: is '0 */2 * * *', up to 2 h between runs, "
        "must be at most 90 min between runs (the RPO)."
    )


def test_a_schedule_that_never_runs_or_cannot_be_read_fails():
    assert messages(check(rule, fixture(rule, "fail", "contradictions"), rpo_minutes=60))[2:] == [
        "CronJob agent-platform-prod/never-backup spec.schedule: is '0 0 31 2 *', which (almost) never runs, "
        "must be at most 1 h between runs (the RPO).",
        "CronJob agent-platform-prod/broken-backup spec.schedule: is '0 0 * * 7' (day-of-week 7 is outside 0-6), "
        "must be a schedule the CronJob controller accepts.",
    ]


@pytest.mark.parametrize("rpo, failing", [(60 * 24, 2), (60 * 24 * 7, 2), (120, 3)])
def test_the_bound_follows_the_stage_rpo(rpo, failing):
    assert len(check(rule, fixture(rule, "fail", "contradictions"), rpo_minutes=rpo)) == failing
