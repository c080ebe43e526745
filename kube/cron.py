"""CronJob schedules, as the Kubernetes CronJob controller reads them (robfig/cron v3's standard parser).

Five fields (minute hour day-of-month month day-of-week) or a descriptor (@hourly ... @yearly,
@every <duration>). Each field is a comma list of `*`, `?`, `N`, `N-M`, each with an optional
`/step`; months and weekdays also by name. Day-of-week is 0-6 (Sunday 0; 7 is refused). When
both day fields are restricted a day matches either, otherwise both. The controller refuses
what croniter accepts beyond that (L, W, #, 7 for Sunday), so the grammar is checked here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_FIELDS = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day-of-month", 1, 31, {}),
    (
        "month",
        1,
        12,
        {
            name: i + 1
            for i, name in enumerate(
                ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            )
        },
    ),
    ("day-of-week", 0, 6, {name: i for i, name in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}),
)
_GO_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)(h|m|s|ms|us|µs|ns))+\Z")
_GO_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)")
_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
WINDOW_DAYS = 8 * 366  # two leap cycles: long enough to see every gap of a yearly schedule twice
WINDOW_START = date(2024, 1, 1)


class InvalidSchedule(ValueError):
    """A schedule the CronJob controller would reject."""


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: the values each field admits, or a fixed period for @every."""

    minutes: frozenset[int] = frozenset()
    hours: frozenset[int] = frozenset()
    days_of_month: frozenset[int] = frozenset()
    months: frozenset[int] = frozenset()
    days_of_week: frozenset[int] = frozenset()
    either_day: bool = False  # both day fields restricted: a day matches if either does
    every: timedelta | None = None

    def runs_on(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        by_month, by_week = day.day in self.days_of_month, (day.isoweekday() % 7) in self.days_of_week
        return (by_month or by_week) if self.either_day else (by_month and by_week)


def parse_schedule(text: str) -> Schedule:
    """Parse a CronJob schedule, raising InvalidSchedule with what is wrong."""
    spec = text.strip()
    if spec.startswith(("TZ=", "CRON_TZ=")):
        raise InvalidSchedule("has a time zone in it, which CronJob refuses; set spec.timeZone instead")
    if spec.startswith("@every"):
        return Schedule(every=_every(spec[len("@every") :].strip()))
    if spec.startswith("@"):
        if spec not in MACROS:
            raise InvalidSchedule(f"{spec!r} is not a descriptor; use one of {', '.join(MACROS)} or @every <duration>")
        spec = MACROS[spec]
    fields = spec.split()
    if len(fields) != 5:
        raise InvalidSchedule(
            f"has {len(fields)} field{'s' if len(fields) != 1 else ''}; a CronJob schedule has 5 "
            "(minute hour day-of-month month day-of-week)"
        )
    parsed = [_field(value, *definition) for value, definition in zip(fields, _FIELDS, strict=False)]
    (minutes, _), (hours, _), (doms, dom_star), (months, _), (dows, dow_star) = parsed
    return Schedule(
        minutes=minutes,
        hours=hours,
        days_of_month=doms,
        months=months,
        days_of_week=dows,
        either_day=not (dom_star or dow_star),
    )


def check_schedule(text: str) -> None:
    """Raise InvalidSchedule unless the CronJob controller accepts the schedule."""
    parse_schedule(text)


def worst_case_interval(text: str) -> timedelta | None:
    """The longest time between two runs, over two leap cycles; None if it runs less than twice in them."""
    schedule = parse_schedule(text)
    if schedule.every is not None:
        return schedule.every
    times = sorted(h * 60 + m for h in schedule.hours for m in schedule.minutes)
    within_day = max((b - a for a, b in zip(times, times[1:], strict=False)), default=0)
    days = [n for n in range(WINDOW_DAYS) if schedule.runs_on(WINDOW_START + timedelta(days=n))]
    if not days or (len(days) == 1 and len(times) == 1):
        return None
    between_days = max(((b - a) * 1440 - times[-1] + times[0] for a, b in zip(days, days[1:], strict=False)), default=0)
    return timedelta(minutes=max(within_day, between_days))


def _field(text: str, name: str, low: int, high: int, names: dict[str, int]) -> tuple[frozenset[int], bool]:
    values: set[int] = set()
    star = False
    for part in text.split(","):
        range_part, _, step_text = part.partition("/")
        if "/" in step_text:
            raise InvalidSchedule(f"{name} field {part!r} has more than one '/'")
        bounds = range_part.split("-")
        if range_part in ("*", "?"):
            start, end, star_here = low, high, True
        elif len(bounds) in (1, 2):
            start = _number(bounds[0], name, low, high, names)
            end = _number(bounds[1], name, low, high, names) if len(bounds) == 2 else start
            star_here = False
        else:
            raise InvalidSchedule(f"{name} field {part!r} is not N, N-M or *")
        step = 1
        if step_text or part.endswith("/"):
            if not step_text.isdigit() or int(step_text) == 0:
                raise InvalidSchedule(f"{name} field {part!r} needs a positive step after '/'")
            step = int(step_text)
            if len(bounds) == 1 and not star_here:
                end = high  # robfig: "N/step" means N-max/step
            if step > 1:
                star_here = False
        if start > end:
            raise InvalidSchedule(f"{name} field {part!r}: {start} is after {end}")
        values.update(range(start, end + 1, step))
        star = star or star_here
    return frozenset(values), star


def _number(text: str, name: str, low: int, high: int, names: dict[str, int]) -> int:
    value = names.get(text.lower()) if names else None
    if value is None:
        if not text.isdigit():
            raise InvalidSchedule(
                f"{name} field has {text!r}, not a number"
                + (" or a name" if names else "")
                + " (L, W and # are not supported by CronJob)"
            )
        value = int(text)
    if not low <= value <= high:
        raise InvalidSchedule(f"{name} {value} is outside {low}-{high}")
    return value


def _every(text: str) -> timedelta:
    if not _GO_DURATION.match(text):
        raise InvalidSchedule(f"@every needs a duration such as 30m or 1h30m, not {text!r}")
    seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in _GO_PART.findall(text))
    if seconds < 1:
        raise InvalidSchedule("@every needs a duration of at least 1s")
    return timedelta(seconds=int(seconds))
