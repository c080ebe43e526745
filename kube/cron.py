"""CronJob schedules: what the Kubernetes CronJob controller accepts."""

from __future__ import annotations

from croniter import croniter

# The controller (robfig/cron's standard parser) takes five fields or these descriptors.
MACROS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})


class InvalidSchedule(ValueError):
    """A schedule the CronJob controller would reject."""


def check_schedule(schedule: str) -> None:
    """Raise InvalidSchedule unless schedule is a five-field cron expression or a macro."""
    text = schedule.strip()
    if text in MACROS:
        return
    if text.startswith(("TZ=", "CRON_TZ=")):
        raise InvalidSchedule("a time zone in the schedule is not allowed; CronJob has spec.timeZone for that")
    fields = text.split()
    if len(fields) != 5:
        raise InvalidSchedule(f"has {len(fields)} fields, a CronJob schedule has 5 (minute hour day-of-month month day-of-week)")
    if not croniter.is_valid(text):
        raise InvalidSchedule("is not a valid cron expression")
