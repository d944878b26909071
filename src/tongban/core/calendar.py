"""Working days in China (工作日): national holidays and make-up working days (调休).

Three sources, strongest first:

1. ``WorkingDayOverride`` rows: local arrangements entered by an administrator, and the notice of
   a year that the package below does not know yet;
2. the PyPI package ``chinese-calendar``, which keeps the State Council General Office notices on
   holiday arrangements (国务院办公厅关于部分节假日安排的通知) from 2004 to its last known year;
3. for any other year, Monday to Friday.

Every legal time limit counts in these days. A span ``(start, end]`` is half-open: the day a
limit starts on does not count, the day it ends on does (``add_working_days(start, n)`` is the
day the n-th working day after ``start`` falls on).

Range functions load the overrides of their whole span in one query; ``WorkingDays`` keeps them
for several computations over the same span (a clock's pauses and due date).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import InvalidInput
from tongban.core.models import WorkingDayOverride

__all__ = [
    "MAX_WORKING_DAYS",
    "WorkingDays",
    "add_working_days",
    "is_working_day",
    "national_rule",
    "next_working_day",
    "package_covers",
    "put_override",
    "remove_override",
    "working_days_between",
]

MAX_WORKING_DAYS = 10_000
"""A limit longer than this (about 40 years) is surely a mistake and is refused."""

# The package's tables, read once: calling ``chinese_calendar.is_workday`` costs ~30 µs a day
# because it recomputes the covered years on every call.
_PACKAGE_WORKDAYS: frozenset[date] = frozenset(chinese_calendar.workdays)
_PACKAGE_HOLIDAYS: frozenset[date] = frozenset(chinese_calendar.holidays)
_PACKAGE_FIRST_YEAR = min(_PACKAGE_HOLIDAYS).year
_PACKAGE_LAST_YEAR = max(_PACKAGE_HOLIDAYS).year

# Chunk of calendar days loaded at a time when the end of a limit is not known yet.
_FIRST_CHUNK_SLACK = 40


def _check_day(day: object, name: str = "day") -> date:
    # ``datetime`` is a subclass of ``date``: refuse it rather than guess its time zone.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"{name} must be a datetime.date (use timezone.localdate()), not {day!r}")
    return day


def package_covers(year: int) -> bool:
    """Whether ``chinese-calendar`` knows the State Council arrangements of ``year``."""
    return _PACKAGE_FIRST_YEAR <= year <= _PACKAGE_LAST_YEAR


def national_rule(day: date) -> bool:
    """Whether ``day`` is a working day by the national arrangements alone (no local overrides).

    For years ``chinese-calendar`` does not know, Monday to Friday are working days.
    """
    if day in _PACKAGE_WORKDAYS:  # 调休: a weekend day worked
        return True
    if day.weekday() >= 5:
        return False
    if package_covers(day.year):
        return day not in _PACKAGE_HOLIDAYS  # 法定节假日 on a weekday
    return True


class WorkingDays:
    """The working-day calendar over a span, with the overrides of that span loaded once.

    Create one for a computation and drop it afterwards: it does not see overrides written after
    it loaded a span.
    """

    def __init__(self) -> None:
        self._overrides: dict[date, bool] = {}
        self._loaded: tuple[date, date] | None = None

    def preload(self, first: date, last: date) -> None:
        """Load the overrides of ``[first, last]`` now, so that later questions about days in it
        need no query."""
        self._load(_check_day(first, "first"), _check_day(last, "last"))

    def _load(self, first: date, last: date) -> None:
        """Make sure the overrides of ``[first, last]`` are loaded (one query per missing part)."""
        if first > last:
            return
        if self._loaded is None:
            self._fetch(first, last)
            self._loaded = (first, last)
            return
        lo, hi = self._loaded
        if first < lo:
            self._fetch(first, lo - timedelta(days=1))
            lo = first
        if last > hi:
            self._fetch(hi + timedelta(days=1), last)
            hi = last
        self._loaded = (lo, hi)

    def _fetch(self, first: date, last: date) -> None:
        rows = WorkingDayOverride.objects.filter(day__range=(first, last)).values_list(
            "day", "is_working_day"
        )
        self._overrides.update(rows)

    def _is_working(self, day: date) -> bool:
        override = self._overrides.get(day)
        return national_rule(day) if override is None else override

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day (工作日)."""
        _check_day(day)
        self._load(day, day)
        return self._is_working(day)

    def add_working_days(self, start: date, days: int) -> date:
        """The day on which a limit of ``days`` working days from ``start`` ends (期限届满日)."""
        _check_day(start, "start")
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError(f"days must be an int, not {days!r}")
        if days < 0:
            raise ValueError("days must not be negative")
        if days > MAX_WORKING_DAYS:
            raise ValueError(f"a limit of {days} working days is longer than {MAX_WORKING_DAYS}")
        if days == 0:
            return start
        counted = 0
        day = start
        # Five working days a week, plus room for a holiday week: usually one chunk, one query.
        chunk = days * 7 // 5 + _FIRST_CHUNK_SLACK
        try:
            while True:
                first, last = day + timedelta(days=1), day + timedelta(days=chunk)
                self._load(first, last)
                while day < last:
                    day += timedelta(days=1)
                    if self._is_working(day):
                        counted += 1
                        if counted == days:
                            return day
                chunk *= 2
        except OverflowError:
            raise ValueError("the limit ends beyond the last date the calendar can hold") from None

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days in ``(start, end]``; 0 when ``end`` is not after ``start``."""
        _check_day(start, "start")
        _check_day(end, "end")
        if end <= start:
            return 0
        first = start + timedelta(days=1)
        self._load(first, end)
        count = 0
        day = first
        one = timedelta(days=1)
        while day <= end:
            if self._is_working(day):
                count += 1
            if day == end:  # ``day + one`` could overflow on date.max
                break
            day += one
        return count

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day``."""
        return self.add_working_days(day, 1)


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day (工作日): overrides, then the State Council notices, then
    Monday to Friday for years the package does not know. One query."""
    return WorkingDays().is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The day on which a limit of ``days`` working days ends (期限届满日).

    Counting starts on the day after ``start``; the result is the ``days``-th working day after
    it, so it is always a working day when ``days > 0``. ``add_working_days(start, 0) == start``.
    Raises ``ValueError`` for a negative ``days`` (or one above ``MAX_WORKING_DAYS``).
    Loads the overrides of the span in one query (two for an unusually long run of days off).
    """
    return WorkingDays().add_working_days(start, days)


def working_days_between(start: date, end: date) -> int:
    """The number of working days in the half-open interval ``(start, end]`` (已用工作日).

    0 when ``end <= start``. The inverse of ``add_working_days``:
    ``working_days_between(s, add_working_days(s, n)) == n``. One query.
    """
    return WorkingDays().working_days_between(start, end)


def next_working_day(day: date) -> date:
    """The first working day after ``day`` (下一个工作日)."""
    return WorkingDays().next_working_day(day)


def put_override(day: date, is_working_day: bool, reason: str, username: str) -> WorkingDayOverride:
    """Record a local arrangement for ``day`` (replacing an earlier one for the same day).

    No permission check and no audit entry: the administrator's service in a higher layer does
    both and calls this inside its transaction. ``reason`` (e.g. the notice that sets the
    arrangement) is required, at most 200 characters.
    """
    _check_day(day)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Give the reason for the arrangement, e.g. the notice that sets it."), field="reason"
        )
    max_length = WorkingDayOverride._meta.get_field("reason").max_length or 200
    if len(reason) > max_length:
        raise InvalidInput(
            _("The reason has %(n)d characters; at most %(max)d are allowed.")
            % {"n": len(reason), "max": max_length},
            field="reason",
        )
    override, _created = WorkingDayOverride.objects.update_or_create(
        day=day,
        defaults={
            "is_working_day": bool(is_working_day),
            "reason": reason,
            "created_by_username": (username or "")[:150],
            "created_at": timezone.now(),
        },
    )
    return override


def remove_override(day: date) -> bool:
    """Delete the local arrangement for ``day``; ``False`` when there was none."""
    _check_day(day)
    deleted, _rows = WorkingDayOverride.objects.filter(day=day).delete()
    return bool(deleted)
