"""Working days: State Council arrangements from chinese-calendar, overrides, unknown years."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core import calendar

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 1, 4), True),  # Sunday, make-up working day (调休) for New Year
        (date(2026, 2, 14), True),  # Saturday, make-up working day for the Spring Festival
        (date(2026, 2, 16), False),  # Monday, Spring Festival holiday
        (date(2024, 10, 1), False),  # National Day
        (date(2024, 10, 7), False),
        (date(2024, 10, 12), True),  # Saturday, make-up working day after National Day 2024
        (date(2026, 11, 23), True),  # an ordinary Monday
        (date(2026, 11, 22), False),  # an ordinary Sunday
    ],
)
def test_state_council_arrangements(day, working):
    assert calendar.is_working_day(day) is working


def test_add_working_days_skips_the_national_day_week():
    # 2024-09-30 (Mon) + 1 working day: 10-01..10-07 are holidays, so the next is 10-08.
    assert calendar.add_working_days(date(2024, 9, 30), 1) == date(2024, 10, 8)


def test_zero_days_is_the_start_and_negative_is_refused():
    assert calendar.add_working_days(date(2026, 3, 2), 0) == date(2026, 3, 2)
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 3, 2), -1)


def test_override_turns_a_saturday_into_a_working_day_and_back():
    saturday = date(2026, 6, 6)
    assert not calendar.is_working_day(saturday)
    calendar.put_override(saturday, True, "本市防汛调休", "admin")
    assert calendar.is_working_day(saturday)
    assert calendar.add_working_days(date(2026, 6, 5), 1) == saturday
    assert calendar.remove_override(saturday)
    assert not calendar.is_working_day(saturday)
    assert not calendar.remove_override(saturday)


def test_unknown_year_falls_back_to_weekdays_until_told_otherwise():
    assert calendar.is_working_day(date(2031, 1, 6))  # a Monday
    assert not calendar.is_working_day(date(2031, 1, 4))  # a Saturday
    calendar.put_override(date(2031, 1, 1), False, "元旦", "admin")
    assert not calendar.is_working_day(date(2031, 1, 1))


def test_working_days_between_is_half_open():
    monday, friday = date(2026, 11, 23), date(2026, 11, 27)
    assert calendar.working_days_between(monday, friday) == 4
    assert calendar.working_days_between(friday, monday) == 0


def test_range_counting_uses_one_query(django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        calendar.add_working_days(date(2026, 1, 1), 60)


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31)),
    n=st.integers(min_value=1, max_value=60),
)
def test_properties_of_adding_working_days(start, n):
    end = calendar.add_working_days(start, n)
    assert calendar.is_working_day(end)
    assert end > start
    assert calendar.working_days_between(start, end) == n
    assert calendar.working_days_between(start, end - timedelta(days=1)) == n - 1
