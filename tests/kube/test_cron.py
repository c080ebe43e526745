"""CronJob schedules: the controller's grammar (robfig/cron v3) and the worst-case interval."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from croniter import croniter
from hypothesis import given, settings
from hypothesis import strategies as st

from kube.cron import MACROS, InvalidSchedule, check_schedule, parse_schedule, worst_case_interval

FIELDS = "a CronJob schedule has 5 (minute hour day-of-month month day-of-week)"


def test_the_descriptors_are_those_of_the_controller():
    assert set(MACROS) == {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}


@pytest.mark.parametrize(
    "schedule",
    [
        *sorted(MACROS),
        "@every 90m",
        "@every 1h30m",
        "*/30 * * * *",
        "0 2 * * *",
        "0 0 1 1 *",
        "15 */6 * * 1-5",
        "0,30 8-18 * * mon-fri",
        "0 0 * JAN,JUL sun",
        "0-59/15 * * * *",
        "0 0 ? * *",
        "59 23 31 12 6",
        "30/10 * * * *",
    ],
)
def test_schedules_the_controller_takes_are_accepted(schedule):
    assert check_schedule(schedule) is None


@pytest.mark.parametrize(
    "schedule, message",
    [
        ("0 2 * *", f"has 4 fields; {FIELDS}"),
        ("0 0 2 * * *", f"has 6 fields; {FIELDS}"),
        ("", f"has 0 fields; {FIELDS}"),
        (
            "@reboot",
            "'@reboot' is not a descriptor; use one of @yearly, @annually, @monthly, @weekly, @daily, "
            "@midnight, @hourly or @every <duration>",
        ),
        ("TZ=UTC 0 2 * * *", "has a time zone in it, which CronJob refuses; set spec.timeZone instead"),
        ("CRON_TZ=Europe/Paris 0 2 * * *", "has a time zone in it, which CronJob refuses; set spec.timeZone instead"),
        ("61 * * * *", "minute 61 is outside 0-59"),
        ("0 24 * * *", "hour 24 is outside 0-23"),
        ("0 0 0 * *", "day-of-month 0 is outside 1-31"),
        ("0 0 * 13 *", "month 13 is outside 1-12"),
        ("0 0 * * 7", "day-of-week 7 is outside 0-6"),
        ("5-1 * * * *", "minute field '5-1': 5 is after 1"),
        ("*/0 * * * *", "minute field '*/0' needs a positive step after '/'"),
        ("0 0 1W * *", "day-of-month field has '1W', not a number (L, W and # are not supported by CronJob)"),
        (
            "0 0 * * 1#2",
            "day-of-week field has '1#2', not a number or a name (L, W and # are not supported by CronJob)",
        ),
        (
            "0 0 * * funday",
            "day-of-week field has 'funday', not a number or a name (L, W and # are not supported by CronJob)",
        ),
        ("@every 10", "@every needs a duration such as 30m or 1h30m, not '10'"),
    ],
)
def test_schedules_the_controller_refuses_are_rejected_with_the_reason(schedule, message):
    with pytest.raises(InvalidSchedule) as caught:
        check_schedule(schedule)
    assert str(caught.value) == message


def test_invalid_schedule_is_a_value_error():
    assert issubclass(InvalidSchedule, ValueError)


@pytest.mark.parametrize(
    "schedule, interval",
    [
        ("0 2 * * *", timedelta(days=1)),
        ("0 */2 * * *", timedelta(hours=2)),
        ("*/30 * * * *", timedelta(minutes=30)),
        ("@hourly", timedelta(hours=1)),
        ("30/10 * * * *", timedelta(minutes=40)),  # 30, 40, 50: from :50 to the next :30
        ("0 9,17 * * *", timedelta(hours=16)),  # the night is the worst case
        ("15 10 * * 1-5", timedelta(days=3)),  # Friday to Monday
        ("0 0 1,15 * 1", timedelta(days=7)),  # both day fields restricted: either matches
        ("0 0 1 * *", timedelta(days=31)),
        ("0 0 29 2 *", timedelta(days=1461)),
        ("@every 1h30m", timedelta(minutes=90)),
    ],
)
def test_worst_case_interval(schedule, interval):
    assert worst_case_interval(schedule) == interval


def test_a_schedule_that_never_runs_has_no_interval():
    assert worst_case_interval("0 0 31 2 *") is None


def _brute_force(schedule: str, days: int) -> timedelta:
    runs = croniter(schedule, datetime(2024, 1, 1) - timedelta(minutes=1))
    previous, worst, end = runs.get_next(datetime), timedelta(0), datetime(2024, 1, 1) + timedelta(days=days)
    while previous < end:
        current = runs.get_next(datetime)
        worst, previous = max(worst, current - previous), current
    return worst


@settings(max_examples=40, deadline=None)
@given(
    minute=st.sampled_from(["0", "*/15", "5,35", "30/10"]),
    hour=st.sampled_from(["*", "2", "*/6", "8-18"]),
    dow=st.sampled_from(["*", "1-5", "0", "6"]),
)
def test_worst_case_interval_agrees_with_croniter_walking_every_run(minute, hour, dow):
    schedule = f"{minute} {hour} * * {dow}"
    assert worst_case_interval(schedule) == _brute_force(schedule, 60)


def test_parsed_fields_follow_robfig_semantics():
    schedule = parse_schedule("30/10 8-10 * * mon-fri")
    assert schedule.minutes == {30, 40, 50}
    assert schedule.hours == {8, 9, 10}
    assert schedule.days_of_week == {1, 2, 3, 4, 5}
    assert schedule.either_day is False
