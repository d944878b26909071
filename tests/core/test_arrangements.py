"""Years without their State Council notice: counted Monday–Friday but flagged; entered notices;
the checks on a notice; reading one from a file (real holiday-cn files in tests/core/data)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tongban.core import arrangements, calendar, clock
from tongban.core.arrangements import HolidayRange, MakeUpDay
from tongban.core.errors import InvalidInput
from tongban.core.models import HolidayArrangement, HolidayArrangementDay

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
TODAY = date(2026, 12, 7)

# TEST FIXTURE — a fictional 2027 arrangement, plausible in shape but NOT the State Council's
# (its notice for 2027 is not published yet). Never use it as real data.
FICTIONAL_2027_NOTICE = "测试用虚构安排（非国务院通知）"
FICTIONAL_2027_HOLIDAYS = [
    HolidayRange("元旦", date(2027, 1, 1), date(2027, 1, 3)),
    HolidayRange("春节", date(2027, 2, 5), date(2027, 2, 13)),
    HolidayRange("国庆节", date(2027, 10, 1), date(2027, 10, 7)),
]
FICTIONAL_2027_WORKDAYS = [
    MakeUpDay(date(2027, 1, 31), "春节"),  # Sunday
    MakeUpDay(date(2027, 2, 20), "春节"),  # Saturday
    MakeUpDay(date(2027, 9, 26), "国庆节"),  # Sunday
    MakeUpDay(date(2027, 10, 9), "国庆节"),  # Saturday
]


@pytest.fixture(autouse=True)
def package_knows_2004_to_2026(monkeypatch):
    """These tests were written against chinese-calendar 1.11 (2004–2026): they pin its last year
    so that they keep testing an unknown 2027 after the package is upgraded."""
    monkeypatch.setattr(calendar, "_PACKAGE_LAST_YEAR", 2026)


def enter_fictional_2027() -> None:
    days = arrangements.check(
        2027, FICTIONAL_2027_NOTICE, FICTIONAL_2027_HOLIDAYS, FICTIONAL_2027_WORKDAYS, TODAY
    )
    calendar.put_arrangement(2027, FICTIONAL_2027_NOTICE, days, "admin")


# --- an unknown year ------------------------------------------------------------------------


def test_an_unknown_year_counts_monday_to_friday_and_is_flagged():
    assert calendar.year_source(2027) == calendar.YearSource.UNKNOWN
    # The fictional Spring Festival week: Mon 8 – Fri 12 February 2027 count as working days.
    assert all(calendar.is_working_day(date(2027, 2, d)) for d in range(8, 13))
    assert not calendar.is_working_day(date(2027, 1, 31))  # a Sunday stays off
    start = date(2026, 12, 21)
    due = calendar.add_working_days(start, 20)
    assert due == date(2027, 1, 18)  # 8 in 2026 + 12 weekdays of 2027 (1 January included)
    assert calendar.uncertain_years(start, due) == [2027]
    # A span inside the package's years is certain, and costs no query.
    assert calendar.uncertain_years(date(2026, 1, 1), date(2026, 12, 31)) == []


def test_uncertain_years_names_every_unknown_year_in_either_order(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert calendar.uncertain_years(date(2025, 3, 1), date(2026, 12, 31)) == []
    with django_assert_num_queries(1):
        assert calendar.uncertain_years(date(2029, 3, 1), date(2026, 12, 1)) == [2027, 2028, 2029]
    enter_fictional_2027()
    assert calendar.uncertain_years(date(2026, 12, 1), date(2029, 3, 1)) == [2028, 2029]
    with django_assert_num_queries(0):
        assert calendar.uncertain_years(date(2027, 1, 1), date(2028, 1, 1), entered={2027}) == [
            2028
        ]


def test_a_clock_due_in_an_unknown_year_says_so():
    running = clock.start_clock(20, date(2026, 12, 21))
    assert clock.due_date(running, today=date(2026, 12, 21)) == date(2027, 1, 18)
    assert clock.uncertain_years(running, today=date(2026, 12, 21)) == [2027]
    short = clock.start_clock(3, date(2026, 12, 1))
    assert clock.uncertain_years(short, today=date(2026, 12, 1)) == []
    enter_fictional_2027()
    # Known now: 1 January is a holiday and the limit ends a working day later, with certainty.
    assert clock.due_date(running, today=date(2026, 12, 21)) == date(2027, 1, 19)
    assert clock.uncertain_years(running, today=date(2026, 12, 21)) == []


# --- an entered year ------------------------------------------------------------------------


def test_after_entering_the_notice_its_holidays_are_off_and_make_up_days_worked():
    enter_fictional_2027()
    assert calendar.year_source(2027) == calendar.YearSource.ENTERED
    assert [calendar.is_working_day(date(2027, 2, d)) for d in range(5, 14)] == [False] * 9
    assert calendar.is_working_day(date(2027, 2, 20))  # a make-up Saturday
    assert calendar.is_working_day(date(2027, 1, 31))  # a make-up Sunday
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert calendar.is_working_day(date(2027, 3, 3))  # an ordinary Wednesday
    assert not calendar.is_working_day(date(2027, 3, 6))  # an ordinary Saturday
    # Thursday 4 Feb + 1: the holiday runs to Saturday 13, Sunday 14 is off → Monday 15.
    assert calendar.add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 15)
    # (29 Jan, 21 Feb]: Sun 31 Jan, 1–4 Feb, 15–19 Feb, Sat 20 Feb.
    assert calendar.working_days_between(date(2027, 1, 29), date(2027, 2, 21)) == 11
    assert calendar.uncertain_years(date(2026, 12, 1), date(2027, 12, 31)) == []


def test_a_local_override_still_wins_over_an_entered_notice():
    enter_fictional_2027()
    calendar.put_override(date(2027, 2, 8), True, "窗口照常办公", "admin")
    calendar.put_override(date(2027, 2, 20), False, "本地不调休", "admin")
    assert calendar.is_working_day(date(2027, 2, 8))
    assert not calendar.is_working_day(date(2027, 2, 20))


def test_overrides_and_entered_days_load_in_one_query(django_assert_num_queries):
    enter_fictional_2027()
    calendar.put_override(date(2027, 3, 6), True, "a Saturday worked", "admin")
    with django_assert_num_queries(1):
        assert calendar.working_days_between(date(2027, 1, 29), date(2027, 3, 6)) == 22


def test_entering_again_replaces_the_days():
    enter_fictional_2027()
    first = HolidayArrangement.objects.get(year=2027)
    days = arrangements.check(
        2027, "更正", [HolidayRange("春节", date(2027, 2, 6), date(2027, 2, 12))], [], TODAY
    )
    calendar.put_arrangement(2027, "更正", days, "admin2")
    again = HolidayArrangement.objects.get(year=2027)
    assert (again.notice, again.entered_by_username) == ("更正", "admin2")
    assert again.entered_at == first.entered_at and again.updated_at > first.updated_at
    assert HolidayArrangementDay.objects.count() == 7
    assert calendar.is_working_day(date(2027, 2, 5))  # no longer in the holiday
    assert calendar.is_working_day(date(2027, 1, 1))  # 元旦 is gone with the old days
    assert calendar.remove_arrangement(2027) is True
    assert calendar.remove_arrangement(2027) is False
    assert calendar.year_source(2027) == calendar.YearSource.UNKNOWN
    assert not HolidayArrangementDay.objects.exists()


# --- the warning period ---------------------------------------------------------------------


def test_next_year_is_missing_from_1_october_only():
    assert calendar.missing_arrangement(date(2026, 9, 30)) is None
    assert calendar.missing_arrangement(date(2026, 10, 1)) == 2027
    assert calendar.missing_arrangement(date(2026, 12, 31)) == 2027
    # A year that has begun without its notice is missing whatever the month.
    assert calendar.missing_arrangement(date(2027, 3, 1)) == 2027
    assert calendar.missing_arrangement(date(2025, 10, 1)) is None  # the package knows 2026
    enter_fictional_2027()
    assert calendar.missing_arrangement(date(2026, 10, 1)) is None
    assert calendar.missing_arrangement(date(2027, 10, 1)) == 2028


# --- when an upgraded package covers an entered year -----------------------------------------


def test_the_package_wins_for_a_year_it_covers_and_disagreements_are_listed(monkeypatch):
    # The real 2026 notice as holiday-cn transcribes it, entered while the package "did not know"
    # 2026 (simulated), then compared once the package covers it again.
    parsed = arrangements.parse_file("2026.json", (DATA / "holiday-cn-2026.json").read_bytes())
    with monkeypatch.context() as m:
        m.setattr(calendar, "_PACKAGE_LAST_YEAR", 2025)
        days = arrangements.check(
            2026, parsed.notice, parsed.holidays, parsed.workdays, date(2025, 11, 10)
        )
        calendar.put_arrangement(2026, parsed.notice, days, "admin")
        assert calendar.year_source(2026) == calendar.YearSource.ENTERED
    assert calendar.year_source(2026) == calendar.YearSource.PACKAGE
    assert calendar.disagreements(2026) == []  # holiday-cn and chinese-calendar agree
    # Someone mistyped: the make-up Saturday 28 February left out, and 3 March taken off.
    HolidayArrangementDay.objects.filter(day=date(2026, 2, 28)).delete()
    HolidayArrangementDay.objects.create(
        arrangement_id=2026, day=date(2026, 3, 3), is_working_day=False, name="误录"
    )
    found = calendar.disagreements(2026)
    assert found == [
        calendar.Disagreement(date(2026, 2, 28), entered_working=False, package_working=True),
        calendar.Disagreement(date(2026, 3, 3), entered_working=False, package_working=True),
    ]
    # The package counts: both days stay working days.
    assert calendar.is_working_day(date(2026, 2, 28)) and calendar.is_working_day(date(2026, 3, 3))


# --- the checks on a notice -----------------------------------------------------------------


def problems(year, notice, holidays, workdays, today=TODAY):
    with pytest.raises(InvalidInput) as err:
        arrangements.check(year, notice, holidays, workdays, today)
    return err.value.errors


def test_a_valid_notice_gives_its_days():
    days = arrangements.check(
        2027, FICTIONAL_2027_NOTICE, FICTIONAL_2027_HOLIDAYS, FICTIONAL_2027_WORKDAYS, TODAY
    )
    assert len(days) == 3 + 9 + 7 + 4
    assert days[date(2027, 2, 5)] == (False, "春节")
    assert days[date(2027, 10, 9)] == (True, "国庆节")


def test_the_year_must_be_one_the_package_does_not_know_and_not_beyond_next(english):
    assert "already holds" in problems(2026, "x", FICTIONAL_2027_HOLIDAYS, [])["year"][0]
    assert (
        "Only the notice for 2027 can be entered now, not 2028."
        in problems(2028, "x", [], [])["year"][0]
    )
    assert "year" not in problems(2028, "x", [], [], today=date(2027, 10, 1))
    assert (
        "from 2027 to 2028, not 2029"
        in problems(2029, "x", [], [], today=date(2027, 10, 1))["year"][0]
    )
    assert "number" in problems("2027", "x", [], [])["year"][0]


def test_every_problem_of_a_notice_is_named_in_english(english):
    errors = problems(
        2027,
        "  ",
        [
            HolidayRange("春节", date(2027, 2, 13), date(2027, 2, 5)),  # reversed
            HolidayRange("", date(2027, 5, 1), date(2027, 5, 3)),  # no name
            HolidayRange("劳动节", date(2027, 5, 3), date(2027, 5, 5)),  # overlaps the one above
            HolidayRange("国庆节", date(2027, 10, 1), date(2027, 10, 31)),  # too long
            HolidayRange("元旦", date(2026, 12, 31), date(2027, 1, 1)),  # starts in 2026
            HolidayRange("清明节", None, None),  # no first day
        ],
        [
            MakeUpDay(date(2027, 2, 10), "春节"),  # a Wednesday
            MakeUpDay(date(2027, 5, 1), "劳动节"),  # a Saturday inside the holiday
            MakeUpDay(date(2028, 1, 8), ""),  # another year
        ],
    )
    assert "title or number" in errors["notice"][0]
    holidays = "\n".join(errors["holidays"])
    assert "春节: the last day 2027-02-05 is before the first day 2027-02-13." in holidays
    assert "Holiday 2: give the holiday's name" in holidays
    assert "2027-05-03 is in two holidays: Holiday 2 and 劳动节." in holidays
    assert "国庆节: 31 days off" in holidays and "at most 15" in holidays
    assert "元旦: 2026-12-31 is not in 2027." in holidays
    assert "清明节: give its first day off." in holidays
    workdays = "\n".join(errors["workdays"])
    assert "2027-02-10 is a Wednesday" in workdays and "Saturday or a Sunday" in workdays
    assert "2027-05-01 cannot be both a day off (Holiday 2) and a make-up working day." in workdays
    assert "2028-01-08 is not in 2027." in workdays


def test_problems_are_named_in_chinese_by_default():
    errors = problems(
        2027,
        "",
        [HolidayRange("春节", date(2027, 2, 5), date(2027, 2, 13))],
        [MakeUpDay(date(2027, 2, 10), "春节")],
    )
    assert errors["notice"] == ["请填写通知的标题或文号，例如 国办发明电〔2026〕X号。"]
    assert errors["workdays"] == ["2027-02-10 是星期三：调休上班日只能是星期六或星期日。"]


def test_a_notice_without_holidays_is_refused(english):
    assert (
        "at least one holiday"
        in problems(2027, "x", [], [MakeUpDay(date(2027, 2, 20))])["holidays"][0]
    )


# --- files ----------------------------------------------------------------------------------


def test_the_real_holiday_cn_2026_file_reads_as_the_notice_and_agrees_with_the_package():
    parsed = arrangements.parse_file("2026.json", (DATA / "holiday-cn-2026.json").read_bytes())
    assert parsed.year == 2026
    assert parsed.notice == "https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm"
    spring = [h for h in parsed.holidays if h.name == "春节"]
    assert spring == [HolidayRange("春节", date(2026, 2, 15), date(2026, 2, 23))]
    assert [w.day for w in parsed.workdays] == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    # Every day the file names is what chinese-calendar says of it.
    for holiday in parsed.holidays:
        assert holiday.first is not None and holiday.last is not None
        day = holiday.first
        while day <= holiday.last:
            assert not calendar.national_rule(day), day
            day += timedelta(days=1)
    assert all(w.day and calendar.national_rule(w.day) for w in parsed.workdays)


def test_the_real_placeholder_for_an_unpublished_year_is_refused(english):
    with pytest.raises(InvalidInput) as err:
        arrangements.parse_file("2027.json", (DATA / "holiday-cn-2027.json").read_bytes())
    assert err.value.field == "file"
    assert "no holiday and no make-up working day" in str(err.value.message)


def test_a_csv_file_with_a_header_and_chinese_kinds():
    text = (
        "date,kind,name\n"
        "2027-02-05,holiday,春节\n2027-02-06,休,春节\n2027-02-07,放假,春节\n"
        "2027-02-20,班,春节\n"
        "# a comment\n\n"
        "2027-10-01,off,国庆节\n"
    )
    parsed = arrangements.parse_file("2027.csv", text.encode())
    assert parsed.year == 2027 and parsed.notice == ""
    assert parsed.holidays == [
        HolidayRange("春节", date(2027, 2, 5), date(2027, 2, 7)),
        HolidayRange("国庆节", date(2027, 10, 1), date(2027, 10, 1)),
    ]
    assert parsed.workdays == [MakeUpDay(date(2027, 2, 20), "春节")]


def test_a_csv_saved_by_excel_on_chinese_windows_is_gb18030():
    text = "日期,类型,名称\r\n2027-02-05,休,春节\r\n2027-02-20,班,春节\r\n"
    parsed = arrangements.parse_file("2027.csv", text.encode("gb18030"))
    assert parsed.holidays == [HolidayRange("春节", date(2027, 2, 5), date(2027, 2, 5))]
    assert parsed.workdays == [MakeUpDay(date(2027, 2, 20), "春节")]


def test_our_json_form_with_year_and_notice():
    data = (
        '{"year": 2027, "notice": "国办发明电〔2026〕X号", "days": ['
        '{"date": "2027-01-01", "kind": "holiday", "name": "元旦"},'
        '{"date": "2027-01-31", "kind": "workday", "name": "春节"}]}'
    )
    parsed = arrangements.parse_file("notice.json", data.encode())
    assert (parsed.year, parsed.notice) == (2027, "国办发明电〔2026〕X号")
    assert parsed.holidays == [HolidayRange("元旦", date(2027, 1, 1), date(2027, 1, 1))]
    assert parsed.workdays == [MakeUpDay(date(2027, 1, 31), "春节")]


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("a.csv", b"2027-02-30,holiday,x\n", "Line 1: \u201c2027-02-30\u201d is not a date"),
        ("a.csv", b"2027-02-05,maybe,x\n", "Line 1: the kind \u201cmaybe\u201d"),
        ("a.csv", b"2027-02-05\n", "Line 1: give date,kind,name"),
        ("a.csv", b"2027-02-05,holiday,x\n2027-02-05,workday,x\n", "both as a holiday"),
        ("a.json", b'{"days": [1]}', "Day 1 is not an object"),
        ("a.json", b'{"days": [{"date": "2027-02-05", "isOffDay": "yes"}]}', "true or false"),
        ("a.json", b'{"year": "2027", "days": []}', "\u201cyear\u201d in the file"),
        ("a.json", b'{"year": 2027}', "no list of days"),
        ("a.json", b"{oops", "not valid JSON"),
        ("a.csv", b"   \n", "The file is empty"),
        ("a.csv", b"\xff\xfe\x00\x01\x80", "neither UTF-8 nor GB 18030"),
        ("a.csv", b"x" * (arrangements.MAX_FILE_BYTES + 1), "larger than 64 KB"),
    ],
)
def test_unreadable_files_are_refused_naming_the_place(english, name, data, fragment):
    with pytest.raises(InvalidInput) as err:
        arrangements.parse_file(name, data)
    assert err.value.field == "file"
    assert fragment in str(err.value.message)


def test_ranges_of_groups_consecutive_days_of_one_name():
    rows = [
        (date(2027, 5, 1), False, "劳动节"),
        (date(2027, 5, 2), False, "劳动节"),
        (date(2027, 5, 3), False, "其他"),  # another name starts another range
        (date(2027, 5, 5), False, "其他"),  # a gap starts another range
        (date(2027, 4, 25), True, "劳动节"),
    ]
    holidays, workdays = arrangements.ranges_of(rows)
    assert holidays == [
        HolidayRange("劳动节", date(2027, 5, 1), date(2027, 5, 2)),
        HolidayRange("其他", date(2027, 5, 3), date(2027, 5, 3)),
        HolidayRange("其他", date(2027, 5, 5), date(2027, 5, 5)),
    ]
    assert workdays == [MakeUpDay(date(2027, 4, 25), "劳动节")]
