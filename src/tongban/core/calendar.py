"""Working days in China (工作日): national holidays and make-up working days (调休).

Four sources, strongest first:

1. ``WorkingDayOverride`` rows: local arrangements (本地调整) entered by an administrator;
2. the PyPI package ``chinese-calendar``, which keeps the State Council General Office notices on
   holiday arrangements (国务院办公厅关于部分节假日安排的通知) from 2004 to its last known year;
3. ``HolidayArrangement`` rows: the notice of a year the package does not know yet, entered by the
   system administrator (its holidays and make-up working days; Monday to Friday otherwise). Once
   an upgraded package covers that year, the package wins and ``disagreements`` lists any day
   where the two differ (docs/calendar.md says why);
4. for any other year, Monday to Friday. Such a year is *unknown*: a date computed across it is
   uncertain, and ``uncertain_years`` names the years that make it so.

Every legal time limit counts in these days. A span ``(start, end]`` is half-open: the day a
limit starts on does not count, the day it ends on does (``add_working_days(start, n)`` is the
day the n-th working day after ``start`` falls on).

Range functions load the overrides of their whole span in one query; ``WorkingDays`` keeps them
for several computations over the same span (a clock's pauses and due date).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version

import chinese_calendar
from django.db import models
from django.db.models import BooleanField, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import InvalidInput
from tongban.core.models import HolidayArrangement, HolidayArrangementDay, WorkingDayOverride

__all__ = [
    "MAX_WORKING_DAYS",
    "WARN_FROM",
    "Disagreement",
    "WorkingDays",
    "YearSource",
    "add_working_days",
    "disagreements",
    "entered_years",
    "is_working_day",
    "missing_arrangement",
    "national_rule",
    "next_working_day",
    "package_covers",
    "package_version",
    "package_years",
    "put_arrangement",
    "put_override",
    "remove_arrangement",
    "remove_override",
    "uncertain_years",
    "working_days_between",
    "year_source",
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

WARN_FROM = (10, 1)
"""From this (month, day) of a year on, next year's arrangement is expected: the State Council
publishes its notice in October–December, and the system administrators are warned while it is not
entered (the notice of year Y is usually dated in Y-1)."""


def _check_day(day: object, name: str = "day") -> date:
    # ``datetime`` is a subclass of ``date``: refuse it rather than guess its time zone.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"{name} must be a datetime.date (use timezone.localdate()), not {day!r}")
    return day


def package_covers(year: int) -> bool:
    """Whether ``chinese-calendar`` knows the State Council arrangements of ``year``."""
    return _PACKAGE_FIRST_YEAR <= year <= _PACKAGE_LAST_YEAR


def package_years() -> tuple[int, int]:
    """The first and last year ``chinese-calendar`` knows."""
    return _PACKAGE_FIRST_YEAR, _PACKAGE_LAST_YEAR


def package_version() -> str:
    """The installed version of ``chinese-calendar`` (for status pages and ``tongban calendar``)."""
    try:
        return version("chinese-calendar")
    except PackageNotFoundError:  # pragma: no cover - installed under another distribution name
        return getattr(chinese_calendar, "__version__", "?")


def national_rule(day: date) -> bool:
    """Whether ``day`` is a working day by the national arrangements alone (no local overrides).

    For years ``chinese-calendar`` does not know, Monday to Friday are working days.
    """
    if not package_covers(day.year):
        return day.weekday() < 5
    if day in _PACKAGE_WORKDAYS:  # 调休: a weekend day worked
        return True
    if day.weekday() >= 5:
        return False
    return day not in _PACKAGE_HOLIDAYS  # 法定节假日 on a weekday


class WorkingDays:
    """The working-day calendar over a span, with the overrides of that span loaded once.

    Create one for a computation and drop it afterwards: it does not see overrides written after
    it loaded a span.
    """

    def __init__(self) -> None:
        self._overrides: dict[date, bool] = {}
        self._entered: dict[date, bool] = {}
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
        # Local overrides and entered arrangements of the span in one query.
        local = (
            WorkingDayOverride.objects.filter(day__range=(first, last))
            .order_by()
            .annotate(local=Value(True, output_field=BooleanField()))
            .values_list("day", "is_working_day", "local")
        )
        entered = (
            HolidayArrangementDay.objects.filter(day__range=(first, last))
            .order_by()
            .annotate(local=Value(False, output_field=BooleanField()))
            .values_list("day", "is_working_day", "local")
        )
        for day, working, is_local in local.union(entered, all=True):
            if is_local:
                self._overrides[day] = bool(working)
            elif not package_covers(day.year):  # the package wins for the years it knows
                self._entered[day] = bool(working)

    def _is_working(self, day: date) -> bool:
        override = self._overrides.get(day)
        if override is not None:
            return override
        entered = self._entered.get(day)
        return national_rule(day) if entered is None else entered

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
    """Whether ``day`` is a working day (工作日): overrides, then the State Council notices (the
    package's, or the one entered for a later year), then Monday to Friday. One query."""
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


# --- which years are known -----------------------------------------------------------------


class YearSource(models.TextChoices):
    """Where the national arrangement of a year comes from."""

    PACKAGE = "package", _("chinese-calendar package")
    ENTERED = "entered", _("entered by the system administrator")
    UNKNOWN = "unknown", _("not known: Monday to Friday")


def entered_years() -> set[int]:
    """The years whose State Council notice an administrator has entered. One query."""
    return set(HolidayArrangement.objects.values_list("year", flat=True))


def year_source(year: int, entered: Collection[int] | None = None) -> YearSource:
    """Where ``year``'s arrangement comes from: the package wins over an entered notice.
    ``entered`` (from ``entered_years``) saves the query when asking about several years."""
    if package_covers(year):
        return YearSource.PACKAGE
    if entered is None:
        known = HolidayArrangement.objects.filter(year=year).exists()
    else:
        known = year in entered
    return YearSource.ENTERED if known else YearSource.UNKNOWN


def uncertain_years(start: date, end: date, entered: Collection[int] | None = None) -> list[int]:
    """The years from ``start`` to ``end`` (either order, both included) whose arrangement is
    unknown, so that a date computed across them counted Monday to Friday and may be wrong.

    The companion of every working-day computation: ``uncertain_years(start, add_working_days(
    start, n))`` is empty when the result is certain. No query when the package knows every year
    of the span (one otherwise, none with ``entered``).
    """
    _check_day(start, "start")
    _check_day(end, "end")
    lo, hi = (start, end) if start <= end else (end, start)
    candidates = [y for y in range(lo.year, hi.year + 1) if not package_covers(y)]
    if not candidates:
        return []
    if entered is None:
        entered = set(
            HolidayArrangement.objects.filter(
                year__gte=candidates[0], year__lte=candidates[-1]
            ).values_list("year", flat=True)
        )
    return [y for y in candidates if y not in entered]


def missing_arrangement(
    today: date | None = None, entered: Collection[int] | None = None
) -> int | None:
    """The year whose notice should be entered now, or ``None``: this year if it is unknown,
    else next year if it is unknown and ``today`` is on or after ``WARN_FROM`` (1 October)."""
    today = today or timezone.localdate()
    years = [today.year]
    if (today.month, today.day) >= WARN_FROM:
        years.append(today.year + 1)
    for year in years:
        if year_source(year, entered) == YearSource.UNKNOWN:
            return year
    return None


@dataclass(frozen=True)
class Disagreement:
    """A day that the entered notice and the package see differently."""

    day: date
    entered_working: bool
    package_working: bool


def disagreements(year: int) -> list[Disagreement]:
    """For a year both entered and known to the (upgraded) package: every day where they differ.
    The package wins; a disagreement means one of the two is wrong, and someone should look."""
    if not package_covers(year):
        return []
    entered = dict(
        HolidayArrangementDay.objects.filter(arrangement__year=year).values_list(
            "day", "is_working_day"
        )
    )
    if not entered and not HolidayArrangement.objects.filter(year=year).exists():
        return []
    found = []
    day = date(year, 1, 1)
    while day.year == year:
        mine = entered.get(day, day.weekday() < 5)
        theirs = national_rule(day)
        if mine != theirs:
            found.append(Disagreement(day, mine, theirs))
        day += timedelta(days=1)
    return found


def put_arrangement(
    year: int, notice: str, days: Mapping[date, tuple[bool, str]], username: str
) -> HolidayArrangement:
    """Record (or replace) the notice of ``year`` with its days: ``{day: (is_working_day, name)}``.

    No validation beyond the model's, no permission check and no audit entry: the administrator's
    service (``org.services.enter_holiday_arrangement``) checks the notice with
    ``core.arrangements.check``, and does both, and calls this inside its transaction.
    """
    now = timezone.now()
    arrangement, created = HolidayArrangement.objects.get_or_create(
        year=year,
        defaults={
            "notice": notice,
            "entered_by_username": (username or "")[:150],
            "entered_at": now,
            "updated_at": now,
        },
    )
    if not created:
        arrangement.notice = notice
        arrangement.entered_by_username = (username or "")[:150]
        arrangement.updated_at = now
        arrangement.save(update_fields=["notice", "entered_by_username", "updated_at"])
        arrangement.days.all().delete()
    HolidayArrangementDay.objects.bulk_create(
        HolidayArrangementDay(arrangement=arrangement, day=day, is_working_day=working, name=name)
        for day, (working, name) in sorted(days.items())
    )
    return arrangement


def remove_arrangement(year: int) -> bool:
    """Delete the entered notice of ``year`` and its days; ``False`` when there was none."""
    deleted, _rows = HolidayArrangement.objects.filter(year=year).delete()
    return bool(deleted)
