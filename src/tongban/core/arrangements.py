"""A year's State Council notice on holiday arrangements (国务院办公厅关于部分节假日安排的通知) as the
system administrator enters it: named holiday ranges (放假) and make-up working days (调休上班).

``check`` turns what a form, the API, the command line or a file gave into the days to record,
or refuses it with every problem named (``InvalidInput`` whose ``errors`` are keyed ``year``,
``notice``, ``holidays``, ``workdays`` and ``file``). ``parse_file`` reads the same from a small
CSV (``date,kind,name``) or JSON file, including the yearly files of the public holiday-cn data
set (``{"year", "papers", "days": [{"name", "date", "isOffDay"}]}``). Nothing here writes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from tongban.core import calendar
from tongban.core.errors import InvalidInput
from tongban.core.models import HolidayArrangement, HolidayArrangementDay

__all__ = [
    "FESTIVALS",
    "MAX_FILE_BYTES",
    "MAX_HOLIDAY_DAYS",
    "HolidayRange",
    "MakeUpDay",
    "ParsedFile",
    "YearRow",
    "arrangement_of",
    "arrangement_ranges",
    "check",
    "enterable_years",
    "overview",
    "parse_file",
    "ranges_of",
]

FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
"""The statutory holidays a notice arranges (全国年节及纪念日放假办法), in the order of the year."""

MAX_HOLIDAY_DAYS = 15
"""The longest State Council holiday so far ran 10 days (春节 2020, extended by a later notice; 9 in
a yearly notice, 春节 2026, as chinese-calendar records them): a longer range is a typing mistake."""

MAX_NAME = 30
MAX_NOTICE = 200
MAX_FILE_BYTES = 64 * 1024
MAX_FILE_ROWS = 400

WORKING_KINDS = frozenset({"workday", "work", "working", "班", "上班", "调休上班", "补班"})
OFF_KINDS = frozenset({"holiday", "off", "休", "放假", "假", "休息"})


@dataclass(frozen=True)
class HolidayRange:
    """Days off of one holiday, ``first`` to ``last`` inclusive (e.g. 春节: 2月15日至23日)."""

    name: str
    first: date | None
    last: date | None = None


@dataclass(frozen=True)
class MakeUpDay:
    """A weekend day worked (调休上班), with the holiday it makes up for."""

    day: date | None
    name: str = ""


@dataclass
class ParsedFile:
    year: int | None
    notice: str
    holidays: list[HolidayRange] = field(default_factory=list)
    workdays: list[MakeUpDay] = field(default_factory=list)


def _d(day: date) -> str:
    return day.isoformat()


def _weekday(day: date) -> str:
    return str(WEEKDAYS[day.weekday()])  # in the active language (English when none is)


def enterable_years(today: date | None = None) -> range:
    """The years whose notice may be entered: after the package's last, up to next year."""
    today = today or timezone.localdate()
    _first, last = calendar.package_years()
    return range(last + 1, today.year + 2)


def _check_year(year: Any, today: date) -> list[str]:
    if isinstance(year, bool) or not isinstance(year, int):
        return [_("Give the year as a number, e.g. 2027.")]
    if calendar.package_covers(year):
        return [
            _(
                "The chinese-calendar package already holds the State Council arrangement for "
                "%(year)s. To change a day in this city, add a local arrangement instead."
            )
            % {"year": year}
        ]
    years = enterable_years(today)
    if year not in years:
        if not years:  # the package knows next year already
            return [_("The package already knows every year up to next year.")]
        if len(years) == 1:
            return [
                _("Only the notice for %(first)s can be entered now, not %(year)s.")
                % {"first": years[0], "year": year}
            ]
        return [
            _("Enter the notice of a year from %(first)s to %(last)s, not %(year)s.")
            % {"first": years[0], "last": years[-1], "year": year}
        ]
    return []


def check(
    year: Any,
    notice: str | None,
    holidays: Sequence[HolidayRange],
    workdays: Sequence[MakeUpDay],
    today: date | None = None,
) -> dict[date, tuple[bool, str]]:
    """The days of a valid notice, ``{day: (is_working_day, name)}``; otherwise ``InvalidInput``
    naming every problem found, in the active language.

    The rules: the year is one the package does not know, at most next year; the notice's title or
    number is given; at least one holiday; each holiday has a name and dates in that year, its last
    day not before its first and at most ``MAX_HOLIDAY_DAYS`` long; holidays do not overlap; each
    make-up working day is a Saturday or Sunday of that year and not a holiday.
    """
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    for message in _check_year(year, today):
        add("year", message)
    year_ok = "year" not in errors
    text = (notice or "").strip()
    if not text:
        add("notice", _("Give the notice's title or number, e.g. 国办发明电〔2026〕X号."))
    elif len(text) > MAX_NOTICE:
        add(
            "notice",
            _("The notice's title has %(n)d characters; at most %(max)d are allowed.")
            % {"n": len(text), "max": MAX_NOTICE},
        )

    days: dict[date, tuple[bool, str]] = {}
    holiday_of: dict[date, str] = {}

    def in_year(day: date, key: str, what: str) -> bool:
        if year_ok and day.year != year:
            add(
                key,
                _("%(what)s: %(day)s is not in %(year)s.")
                % {"what": what, "day": _d(day), "year": year},
            )
            return False
        return True

    for number, holiday in enumerate(holidays, start=1):
        name = (holiday.name or "").strip()
        label = name or _("Holiday %(n)d") % {"n": number}
        if not name:
            add("holidays", _("%(what)s: give the holiday's name, e.g. 春节.") % {"what": label})
        elif len(name) > MAX_NAME:
            add(
                "holidays",
                _("%(what)s: a name has at most %(max)d characters.")
                % {"what": label, "max": MAX_NAME},
            )
        if holiday.first is None:
            add("holidays", _("%(what)s: give its first day off.") % {"what": label})
            continue
        first, last = holiday.first, holiday.last or holiday.first
        if last < first:
            add(
                "holidays",
                _("%(what)s: the last day %(last)s is before the first day %(first)s.")
                % {"what": label, "first": _d(first), "last": _d(last)},
            )
            continue
        length = (last - first).days + 1
        if length > MAX_HOLIDAY_DAYS:
            add(
                "holidays",
                _(
                    "%(what)s: %(n)d days off (%(first)s to %(last)s) is longer than any holiday "
                    "a State Council notice has set (at most %(max)d); check the dates."
                )
                % {
                    "what": label,
                    "n": length,
                    "first": _d(first),
                    "last": _d(last),
                    "max": MAX_HOLIDAY_DAYS,
                },
            )
            continue
        if not (in_year(first, "holidays", label) and in_year(last, "holidays", label)):
            continue
        for offset in range(length):
            day = first + timedelta(days=offset)
            other = holiday_of.get(day)
            if other is not None:
                add(
                    "holidays",
                    _("%(day)s is in two holidays: %(one)s and %(other)s.")
                    % {"day": _d(day), "one": other, "other": label},
                )
                continue
            holiday_of[day] = label
            days[day] = (False, name[:MAX_NAME])
    if not holidays:
        add("holidays", _("A notice sets at least one holiday: enter its days off."))

    seen: set[date] = set()
    for number, workday in enumerate(workdays, start=1):
        name = (workday.name or "").strip()
        if workday.day is None:
            add(
                "workdays",
                _("Make-up working day %(n)d: give its date.") % {"n": number},
            )
            continue
        day = workday.day
        if len(name) > MAX_NAME:
            add(
                "workdays",
                _("%(day)s: a name has at most %(max)d characters.")
                % {"day": _d(day), "max": MAX_NAME},
            )
        if day in seen:
            continue
        seen.add(day)
        if not in_year(day, "workdays", _("Make-up working day %(n)d") % {"n": number}):
            continue
        if day.weekday() < 5:
            add(
                "workdays",
                _(
                    "%(day)s is a %(weekday)s: a make-up working day (调休上班) is always a "
                    "Saturday or a Sunday."
                )
                % {"day": _d(day), "weekday": _weekday(day)},
            )
            continue
        if day in holiday_of:
            add(
                "workdays",
                _("%(day)s cannot be both a day off (%(holiday)s) and a make-up working day.")
                % {"day": _d(day), "holiday": holiday_of[day]},
            )
            continue
        days[day] = (True, name[:MAX_NAME])
    if errors:
        first_message = next(iter(errors.values()))[0]
        raise InvalidInput(first_message, errors=errors)
    return days


def ranges_of(
    days: Iterable[HolidayArrangementDay] | Iterable[tuple[date, bool, str]],
) -> tuple[list[HolidayRange], list[MakeUpDay]]:
    """Group single days back into holiday ranges (consecutive days off with the same name) and
    make-up days: how a notice reads, for the form that edits it and for files."""
    rows = sorted(
        (d.day, d.is_working_day, d.name) if isinstance(d, HolidayArrangementDay) else d
        for d in days
    )
    holidays: list[HolidayRange] = []
    workdays: list[MakeUpDay] = []
    for day, working, name in rows:
        if working:
            workdays.append(MakeUpDay(day, name))
            continue
        last = holidays[-1] if holidays else None
        if (
            last is not None
            and last.name == name
            and last.last is not None
            and last.last + timedelta(days=1) == day
        ):
            holidays[-1] = HolidayRange(name, last.first, day)
        else:
            holidays.append(HolidayRange(name, day, day))
    return holidays, workdays


def arrangement_of(year: int) -> HolidayArrangement | None:
    """The entered notice of ``year``, if any."""
    return HolidayArrangement.objects.filter(year=year).first()


def arrangement_ranges(
    arrangement: HolidayArrangement,
) -> tuple[list[HolidayRange], list[MakeUpDay]]:
    """The entered notice of a year as ranges and make-up days."""
    return ranges_of(arrangement.days.all())


# --- files ---------------------------------------------------------------------------------


def _file_error(message: str) -> InvalidInput:
    return InvalidInput(message, field="file")


def _decode(data: bytes) -> str:
    # UTF-8 (with or without the BOM Excel writes), else GB 18030: a CSV saved by Excel on a
    # Chinese Windows.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise _file_error(_("The file is neither UTF-8 nor GB 18030 text.")) from None


def _parse_date(raw: Any, where: str) -> date:
    text = str(raw or "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _file_error(
            _("%(where)s: “%(value)s” is not a date like 2027-02-06.")
            % {"where": where, "value": text[:40]}
        ) from None


def _parse_kind(raw: Any, where: str) -> bool:
    text = str(raw or "").strip().lower()
    if text in WORKING_KINDS:
        return True
    if text in OFF_KINDS:
        return False
    raise _file_error(
        _("%(where)s: the kind “%(value)s” is neither holiday (休) nor workday (班).")
        % {"where": where, "value": text[:40]}
    )


def _from_days(rows: list[tuple[date, bool, str]]) -> tuple[list[HolidayRange], list[MakeUpDay]]:
    seen: dict[date, bool] = {}
    for day, working, _name in rows:
        if day in seen and seen[day] != working:
            raise _file_error(
                _("%(day)s is listed both as a holiday and as a make-up working day.")
                % {"day": _d(day)}
            )
        seen[day] = working
    unique = {day: (day, working, name) for day, working, name in rows}
    return ranges_of(unique.values())


def _parse_json(text: str) -> ParsedFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _file_error(
            _("The file is not valid JSON (line %(line)d): %(reason)s")
            % {"line": exc.lineno, "reason": exc.msg}
        ) from None
    year: int | None = None
    notice = ""
    if isinstance(data, dict):
        raw_year = data.get("year")
        if raw_year is not None:
            if isinstance(raw_year, bool) or not isinstance(raw_year, int):
                raise _file_error(_("“year” in the file is not a number."))
            year = raw_year
        notice = str(data.get("notice") or "").strip()
        papers = data.get("papers")
        if not notice and isinstance(papers, list) and papers:
            notice = str(papers[0]).strip()  # holiday-cn: the notice's address on www.gov.cn
        entries = data.get("days")
    else:
        entries = data
    if not isinstance(entries, list):
        raise _file_error(_("The file has no list of days (“days”)."))
    if len(entries) > MAX_FILE_ROWS:
        raise _file_error(_("The file has more than %(max)d days.") % {"max": MAX_FILE_ROWS})
    rows: list[tuple[date, bool, str]] = []
    for number, entry in enumerate(entries, start=1):
        where = _("Day %(n)d") % {"n": number}
        if not isinstance(entry, dict):
            raise _file_error(_("%(where)s is not an object.") % {"where": where})
        day = _parse_date(entry.get("date"), where)
        if "isOffDay" in entry:  # holiday-cn
            if not isinstance(entry["isOffDay"], bool):
                raise _file_error(_("%(where)s: “isOffDay” is true or false.") % {"where": where})
            working = not entry["isOffDay"]
        else:
            working = _parse_kind(entry.get("kind"), where)
        rows.append((day, working, str(entry.get("name") or "").strip()[:MAX_NAME]))
    holidays, workdays = _from_days(rows)
    return ParsedFile(year, notice, holidays, workdays)


def _parse_csv(text: str) -> ParsedFile:
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[date, bool, str]] = []
    for line_number, row in enumerate(reader, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if line_number == 1 and cells[0].lower() in {"date", "日期"}:
            continue  # the header
        if len(rows) >= MAX_FILE_ROWS:
            raise _file_error(_("The file has more than %(max)d days.") % {"max": MAX_FILE_ROWS})
        where = _("Line %(n)d") % {"n": line_number}
        if len(cells) < 2:
            raise _file_error(
                _("%(where)s: give date,kind,name (e.g. 2027-02-06,holiday,春节).")
                % {"where": where}
            )
        day = _parse_date(cells[0], where)
        working = _parse_kind(cells[1], where)
        name = cells[2][:MAX_NAME] if len(cells) > 2 else ""
        rows.append((day, working, name))
    holidays, workdays = _from_days(rows)
    return ParsedFile(None, "", holidays, workdays)


def parse_file(name: str, data: bytes) -> ParsedFile:
    """The holidays and make-up days of a CSV (``date,kind,name``; kind ``holiday``/``workday``
    or 休/班) or JSON file (``{"year", "notice", "days": [{"date", "kind", "name"}]}``, or a
    holiday-cn year file). Refuses, naming the line, what it cannot read. Nothing is written."""
    if len(data) > MAX_FILE_BYTES:
        raise _file_error(
            _("The file is larger than %(max)d KB: a year's notice fits in a few lines.")
            % {"max": MAX_FILE_BYTES // 1024}
        )
    text = _decode(data)
    if not text.strip():
        raise _file_error(_("The file is empty."))
    if name.lower().endswith(".json") or text.lstrip()[:1] in ("{", "["):
        parsed = _parse_json(text)
    else:
        parsed = _parse_csv(text)
    if not parsed.holidays and not parsed.workdays:
        raise _file_error(_("The file lists no holiday and no make-up working day."))
    if parsed.year is None:
        years = sorted({h.first.year for h in parsed.holidays if h.first is not None})
        parsed.year = years[0] if len(years) == 1 else None
    return parsed


# --- overview ------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearRow:
    """One year on the calendar's status page and in ``tongban calendar status``."""

    year: int
    source: calendar.YearSource
    arrangement: HolidayArrangement | None
    disagreements: list[calendar.Disagreement]
    enterable: bool


def overview(today: date | None = None) -> list[YearRow]:
    """Last year, this year, next year and every entered year, newest first: where each year's
    arrangement comes from, and for an entered year the package now also knows, the days where
    the two disagree."""
    today = today or timezone.localdate()
    entered = {a.year: a for a in HolidayArrangement.objects.all()}
    years = sorted({today.year - 1, today.year, today.year + 1, *entered}, reverse=True)
    allowed = enterable_years(today)
    rows = []
    for year in years:
        source = calendar.year_source(year, entered)
        arrangement = entered.get(year)
        found = calendar.disagreements(year) if arrangement and source == "package" else []
        rows.append(YearRow(year, source, arrangement, found, year in allowed))
    return rows
