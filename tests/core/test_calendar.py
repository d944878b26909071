"""Working days: State Council arrangements from chinese-calendar, overrides, unknown years."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core import calendar
from tongban.core.errors import InvalidInput
from tongban.core.models import WorkingDayOverride

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # 2026 (国务院办公厅 notice for 2026, as STANDARDS.md lists it)
        (date(2026, 1, 1), False),  # Thursday, New Year's Day
        (date(2026, 1, 4), True),  # Sunday, make-up working day (调休) for New Year
        (date(2026, 2, 14), True),  # Saturday, make-up working day for the Spring Festival
        (date(2026, 2, 16), False),  # Monday, Spring Festival holiday
        (date(2026, 2, 23), False),  # Monday, last day of the Spring Festival holiday
        (date(2026, 2, 24), True),  # Tuesday, back at work
        # 2024 National Day: 1–7 October off, Sunday 29 September and Saturday 12 October worked
        (date(2024, 9, 29), True),
        (date(2024, 10, 1), False),
        (date(2024, 10, 4), False),  # a Friday inside the holiday
        (date(2024, 10, 7), False),  # a Monday inside the holiday
        (date(2024, 10, 8), True),
        (date(2024, 10, 12), True),
        # ordinary days
        (date(2026, 11, 23), True),  # Monday
        (date(2026, 11, 22), False),  # Sunday
    ],
)
def test_state_council_arrangements(day, working):
    assert calendar.is_working_day(day) is working


def test_the_fast_table_agrees_with_the_package_on_every_day_it_knows():
    day = date(2004, 1, 1)
    disagreements = []
    while calendar.package_covers(day.year):
        if calendar.national_rule(day) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += timedelta(days=1)
    assert day.year >= 2027  # the package knows 2026 at least
    assert disagreements == []


def test_package_years():
    assert calendar.package_covers(2004) and calendar.package_covers(2026)
    assert not calendar.package_covers(2003)
    assert not calendar.package_covers(2031)


def test_adding_across_the_2024_national_day_week():
    # Friday 27 Sept + 1: the next working day is the make-up Sunday 29 Sept.
    assert calendar.add_working_days(date(2024, 9, 27), 1) == date(2024, 9, 29)
    # Monday 30 Sept + 1: 1–7 October are holidays, so Tuesday 8 October.
    assert calendar.add_working_days(date(2024, 9, 30), 1) == date(2024, 10, 8)
    # + 5: 8, 9, 10, 11 October and the make-up Saturday 12 October.
    assert calendar.add_working_days(date(2024, 9, 30), 5) == date(2024, 10, 12)
    assert calendar.next_working_day(date(2024, 9, 30)) == date(2024, 10, 8)


def test_adding_across_the_2026_spring_festival():
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert calendar.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2


def test_working_days_between_is_half_open():
    monday, friday = date(2026, 11, 23), date(2026, 11, 27)
    assert calendar.working_days_between(monday, friday) == 4  # Tue–Fri; Monday itself not
    assert calendar.working_days_between(monday, monday) == 0
    assert calendar.working_days_between(friday, monday) == 0
    # A whole ordinary week from a Sunday.
    assert calendar.working_days_between(date(2026, 11, 22), date(2026, 11, 29)) == 5


def test_zero_days_is_the_start_and_bad_counts_are_refused():
    assert calendar.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)  # even a Saturday
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_days(date(2026, 3, 2), -1)
    with pytest.raises(ValueError, match="longer than"):
        calendar.add_working_days(date(2026, 3, 2), calendar.MAX_WORKING_DAYS + 1)
    with pytest.raises(TypeError):
        calendar.add_working_days(date(2026, 3, 2), 1.5)  # type: ignore[arg-type]


def test_a_limit_running_off_the_end_of_time_is_a_value_error():
    with pytest.raises(ValueError, match="beyond"):
        calendar.add_working_days(date(9999, 12, 20), 30)
    assert calendar.working_days_between(date(9999, 12, 24), date.max) == 5


def test_datetimes_are_refused_rather_than_guessed():
    with pytest.raises(TypeError, match="localdate"):
        calendar.is_working_day(datetime(2026, 1, 4, 9, 0))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        calendar.working_days_between(date(2026, 1, 1), "2026-02-01")  # type: ignore[arg-type]


def test_override_turns_a_saturday_into_a_working_day_and_back():
    saturday = date(2026, 6, 6)
    assert not calendar.is_working_day(saturday)
    row = calendar.put_override(saturday, True, "本市防汛调休", "admin")
    assert (row.day, row.is_working_day, row.reason, row.created_by_username) == (
        saturday,
        True,
        "本市防汛调休",
        "admin",
    )
    assert calendar.is_working_day(saturday)
    assert calendar.add_working_days(date(2026, 6, 5), 1) == saturday
    assert calendar.working_days_between(date(2026, 6, 5), date(2026, 6, 8)) == 2
    assert calendar.remove_override(saturday) is True
    assert not calendar.is_working_day(saturday)
    assert calendar.add_working_days(date(2026, 6, 5), 1) == date(2026, 6, 8)
    assert calendar.remove_override(saturday) is False


def test_overrides_win_over_the_package_both_ways():
    calendar.put_override(date(2026, 2, 14), False, "本地不调休", "admin")  # a make-up Saturday
    calendar.put_override(date(2026, 2, 16), True, "窗口照常办公", "admin")  # a holiday Monday
    assert not calendar.is_working_day(date(2026, 2, 14))
    assert calendar.is_working_day(date(2026, 2, 16))
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 16)


def test_putting_an_override_again_replaces_it():
    day = date(2026, 6, 6)
    first = calendar.put_override(day, True, "first", "alice")
    second = calendar.put_override(day, False, "  second  ", "bob")
    assert WorkingDayOverride.objects.count() == 1
    assert second.pk == first.pk
    assert (second.is_working_day, second.reason, second.created_by_username) == (
        False,
        "second",
        "bob",
    )
    assert second.created_at >= first.created_at
    assert not calendar.is_working_day(day)


@pytest.mark.parametrize(("reason", "fragment"), [("   ", "Give the reason"), ("理" * 201, "201")])
def test_an_override_needs_a_short_reason(english, reason, fragment):
    with pytest.raises(InvalidInput) as err:
        calendar.put_override(date(2026, 6, 6), True, reason, "admin")
    assert err.value.field == "reason"
    assert fragment in str(err.value.message)
    assert not WorkingDayOverride.objects.exists()


def test_unknown_year_falls_back_to_weekdays_until_told_otherwise():
    assert calendar.is_working_day(date(2031, 1, 6))  # a Monday
    assert not calendar.is_working_day(date(2031, 1, 4))  # a Saturday
    assert calendar.is_working_day(date(2031, 1, 1))  # New Year's Day, not known yet
    calendar.put_override(date(2031, 1, 1), False, "元旦", "admin")
    assert not calendar.is_working_day(date(2031, 1, 1))
    # A limit crossing from the last known year into an unknown one.
    assert calendar.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)  # a Friday
    calendar.put_override(date(2027, 1, 1), False, "国办发明电 2027 元旦", "admin")
    assert calendar.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_overrides_on_the_edges_of_a_span():
    calendar.put_override(date(2026, 11, 21), True, "start edge (Saturday)", "admin")
    calendar.put_override(date(2026, 11, 29), True, "end edge (Sunday)", "admin")
    # (Sat 21, Sun 29]: Mon–Fri plus the Sunday override; the Saturday is the excluded start.
    assert calendar.working_days_between(date(2026, 11, 21), date(2026, 11, 29)) == 6


def test_range_functions_load_the_overrides_in_one_query(django_assert_num_queries):
    calendar.put_override(date(2026, 3, 7), True, "a Saturday worked", "admin")
    with django_assert_num_queries(1):
        assert calendar.add_working_days(date(2026, 1, 1), 60) == date(2026, 3, 31)
    with django_assert_num_queries(1):
        # 248 working days in 2026 (242 weekdays not on holiday + 6 make-up days) + the override
        assert calendar.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 249
    with django_assert_num_queries(1):
        calendar.is_working_day(date(2026, 3, 7))


def test_a_long_run_of_days_off_loads_one_more_chunk(django_assert_num_queries):
    # A local closure of 60 calendar days: the first chunk (1 × 7/5 + 40 days) is not enough.
    start = date(2031, 3, 1)
    WorkingDayOverride.objects.bulk_create(
        WorkingDayOverride(day=start + timedelta(days=i), is_working_day=False, reason="closed")
        for i in range(1, 61)
    )
    with django_assert_num_queries(2):
        end = calendar.add_working_days(start, 1)
    assert end == date(2031, 5, 1)  # the first day after the closure, a Thursday
    assert calendar.working_days_between(start, end) == 1


def test_one_calendar_object_reuses_what_it_loaded(django_assert_num_queries):
    days = calendar.WorkingDays()
    with django_assert_num_queries(1):
        due = days.add_working_days(date(2026, 1, 5), 20)
    with django_assert_num_queries(0):
        assert days.working_days_between(date(2026, 1, 5), due) == 20
        assert days.is_working_day(due)
    with django_assert_num_queries(1):  # only the part before what it has
        days.working_days_between(date(2025, 12, 1), date(2026, 1, 10))


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=date(2004, 1, 1), max_value=date(2032, 12, 31)),
    n=st.integers(min_value=1, max_value=80),
)
def test_properties_of_adding_working_days(start, n):
    end = calendar.add_working_days(start, n)
    assert end > start
    assert calendar.is_working_day(end)
    assert calendar.working_days_between(start, end) == n
    assert calendar.working_days_between(start, end - timedelta(days=1)) == n - 1
    assert calendar.add_working_days(start, n + 1) == calendar.next_working_day(end)


@settings(max_examples=40, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 12, 31)),
    n=st.integers(min_value=1, max_value=25),
    overrides=st.dictionaries(st.integers(min_value=-3, max_value=50), st.booleans(), max_size=12),
)
def test_range_answers_match_day_by_day_answers_with_random_overrides(start, n, overrides):
    with transaction.atomic():
        for offset, working in overrides.items():
            calendar.put_override(start + timedelta(days=offset), working, "random", "hypothesis")
        end = calendar.add_working_days(start, n)
        # Walk day by day with the single-day function: an independent path to the same answer.
        day, counted = start, 0
        while counted < n:
            day += timedelta(days=1)
            counted += calendar.is_working_day(day)
        assert end == day
        assert calendar.working_days_between(start, end) == n
        transaction.set_rollback(True)
