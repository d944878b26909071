"""Working days in China (工作日): national holidays and make-up working days (调休).

The dates come from the PyPI package ``chinese-calendar`` (the State Council General Office
notices, 2004 to its last known year), overridden by administrator entries in
``WorkingDayOverride`` for local arrangements and for years the package does not know yet; for
such years Monday to Friday count until an administrator records the notice.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from django.db.models import QuerySet

from tongban.core.models import WorkingDayOverride

# Past this many calendar days a limit is surely a mistake (10 years).
MAX_SPAN_DAYS = 3660


def _package_says(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def _overrides(start: date, end: date) -> dict[date, bool]:
    rows: QuerySet[WorkingDayOverride] = WorkingDayOverride.objects.filter(day__range=(start, end))
    return dict(rows.values_list("day", "is_working_day"))


def is_working_day(day: date) -> bool:
    override = (
        WorkingDayOverride.objects.filter(day=day).values_list("is_working_day", flat=True).first()
    )
    return _package_says(day) if override is None else bool(override)


def _working_flags(start: date, end: date) -> list[tuple[date, bool]]:
    overrides = _overrides(start, end)
    out = []
    day = start
    while day <= end:
        out.append((day, overrides.get(day, _package_says(day))))
        day += timedelta(days=1)
    return out


def add_working_days(start: date, days: int) -> date:
    """The day on which a limit of ``days`` working days ends, counting from the day after ``start``.

    ``add_working_days(start, 0) == start``. One query for the overrides of the span.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if days == 0:
        return start
    span = days * 2 + 30
    while True:
        if span > MAX_SPAN_DAYS:
            raise ValueError("time limit too long")
        counted = 0
        for day, working in _working_flags(start + timedelta(days=1), start + timedelta(days=span)):
            if working:
                counted += 1
                if counted == days:
                    return day
        span *= 2


def working_days_between(start: date, end: date) -> int:
    """Working days in ``(start, end]``; 0 when ``end`` is not after ``start``."""
    if end <= start:
        return 0
    if (end - start).days > MAX_SPAN_DAYS:
        raise ValueError("span too long")
    return sum(1 for _day, working in _working_flags(start + timedelta(days=1), end) if working)


def next_working_day(day: date) -> date:
    """The first working day after ``day``."""
    return add_working_days(day, 1)


def put_override(day: date, is_working: bool, reason: str, username: str) -> WorkingDayOverride:
    """Record a local arrangement (callers check permission and audit: org.services)."""
    override, _created = WorkingDayOverride.objects.update_or_create(
        day=day,
        defaults={"is_working_day": is_working, "reason": reason, "created_by_username": username},
    )
    return override


def remove_override(day: date) -> bool:
    deleted, _ = WorkingDayOverride.objects.filter(day=day).delete()
    return bool(deleted)
