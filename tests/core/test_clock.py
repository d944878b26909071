"""The pausable legal time-limit clock (计时)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core import calendar, clock
from tongban.core.errors import InvalidInput
from tongban.core.models import ClockExtension, ClockPause, ClockState, TimeLimitClock

pytestmark = pytest.mark.django_db

MON = date(2026, 11, 2)  # November 2026 has no holidays


def test_twenty_working_days_from_a_monday():
    c = clock.start_clock(20, MON)
    assert c.state == ClockState.RUNNING and c.extended_days == 0
    assert clock.due_date(c, MON) == date(2026, 11, 30)
    assert clock.remaining_working_days(c, MON) == 20
    assert clock.elapsed_working_days(c, MON) == 0
    assert clock.elapsed_working_days(c, date(2026, 11, 9)) == 5
    assert clock.remaining_working_days(c, date(2026, 11, 30)) == 0  # the last day
    assert clock.remaining_working_days(c, date(2026, 12, 1)) == -1


def test_a_limit_started_before_a_holiday_runs_past_it():
    # Received Tuesday 29 Sept 2026, 5 working days: 30 Sept; 1–7 October are the National Day
    # holiday; 8, 9 October and the make-up Saturday 10 October; then Monday 12 October.
    c = clock.start_clock(5, date(2026, 9, 29))
    assert clock.due_date(c, date(2026, 9, 29)) == date(2026, 10, 12)
    assert clock.remaining_working_days(c, date(2026, 10, 10)) == 1


def test_pause_does_not_count_and_extension_adds():
    c = clock.start_clock(20, MON)
    clock.pause_clock(c, date(2026, 11, 6), "专家评审")  # Friday
    assert c.state == ClockState.PAUSED
    clock.resume_clock(c, date(2026, 11, 13))  # Friday: 9–13 Nov, five working days, paused
    assert c.state == ClockState.RUNNING
    assert clock.paused_working_days(c, date(2026, 11, 20)) == 5
    assert clock.due_date(c, date(2026, 11, 20)) == date(2026, 12, 7)
    extension = clock.extend_clock(c, 10, "经本机关负责人批准延长十日")
    assert (extension.days, extension.reason) == (10, "经本机关负责人批准延长十日")
    assert c.extended_days == 10
    c.refresh_from_db()
    assert c.extended_days == 10
    assert clock.due_date(c, date(2026, 11, 20)) == date(2026, 12, 21)
    # On 20 Nov: 14 working days since the start, 5 of them paused → 9 used of 30.
    assert clock.elapsed_working_days(c, date(2026, 11, 20)) == 9
    assert clock.remaining_working_days(c, date(2026, 11, 20)) == 21


def test_a_pause_across_the_spring_festival_counts_only_working_days():
    c = clock.start_clock(5, date(2026, 2, 9))  # Monday
    assert clock.due_date(c, date(2026, 2, 9)) == date(2026, 2, 14)  # the make-up Saturday
    clock.pause_clock(c, date(2026, 2, 13), "听证")  # Friday
    clock.resume_clock(c, date(2026, 2, 24))  # Tuesday after the holiday (15–23 Feb)
    # Paused: Saturday 14 Feb (make-up working day) and Tuesday 24 Feb; the nine holidays not.
    assert clock.paused_working_days(c, date(2026, 2, 24)) == 2
    assert clock.due_date(c, date(2026, 2, 24)) == date(2026, 2, 25)
    assert clock.elapsed_working_days(c, date(2026, 2, 24)) == 4  # 10–13 Feb
    assert clock.remaining_working_days(c, date(2026, 2, 24)) == 1
    assert clock.remaining_working_days(c, date(2026, 2, 25)) == 0


def test_an_open_pause_counts_until_today_and_freezes_the_remaining_days():
    c = clock.start_clock(10, MON)
    clock.pause_clock(c, date(2026, 11, 3), "一次性告知补正材料")
    # On 10 Nov the pause has lasted 4, 5, 6, 9, 10 Nov: five working days.
    assert clock.paused_working_days(c, date(2026, 11, 10)) == 5
    assert clock.due_date(c, date(2026, 11, 10)) == date(2026, 11, 23)
    assert clock.due_date(c, date(2026, 11, 11)) == date(2026, 11, 24)  # moves day by day
    assert clock.remaining_working_days(c, date(2026, 11, 5)) == 9
    assert clock.remaining_working_days(c, date(2026, 11, 30)) == 9


def test_a_pause_begun_and_ended_the_same_day_costs_nothing():
    c = clock.start_clock(3, MON)
    clock.pause_clock(c, date(2026, 11, 3), "当日补正")
    clock.resume_clock(c, date(2026, 11, 3))
    assert clock.due_date(c, date(2026, 11, 3)) == date(2026, 11, 5)


def test_two_pauses_add_up():
    c = clock.start_clock(5, MON)
    clock.pause_clock(c, date(2026, 11, 3), "补正")
    clock.resume_clock(c, date(2026, 11, 5))  # 4, 5 Nov
    clock.pause_clock(c, date(2026, 11, 5), "检测")  # may begin the day the last one ended
    clock.resume_clock(c, date(2026, 11, 9))  # 6, 9 Nov
    assert list(c.pauses.values_list("paused_on", "resumed_on")) == [
        (date(2026, 11, 3), date(2026, 11, 5)),
        (date(2026, 11, 5), date(2026, 11, 9)),
    ]
    assert clock.paused_working_days(c, date(2026, 11, 9)) == 4
    assert clock.due_date(c, date(2026, 11, 9)) == date(2026, 11, 13)


def test_overdue_is_negative():
    c = clock.start_clock(3, MON)
    assert clock.due_date(c, MON) == date(2026, 11, 5)
    assert clock.remaining_working_days(c, date(2026, 11, 9)) == -2


def test_stop_closes_an_open_pause_and_freezes_the_count():
    c = clock.start_clock(5, MON)
    clock.pause_clock(c, date(2026, 11, 3), "中止")
    clock.stop_clock(c, date(2026, 11, 5))
    assert c.state == ClockState.STOPPED and c.stopped_on == date(2026, 11, 5)
    c.refresh_from_db()
    assert c.state == ClockState.STOPPED and c.stopped_on == date(2026, 11, 5)
    assert c.pauses.get().resumed_on == date(2026, 11, 5)
    assert clock.elapsed_working_days(c, date(2026, 12, 31)) == 1  # only 3 Nov
    assert clock.remaining_working_days(c, date(2026, 12, 31)) == 4
    assert clock.due_date(c, date(2026, 12, 31)) == date(2026, 11, 11)


def test_reading_a_day_before_a_stop_counts_up_to_that_day():
    c = clock.start_clock(10, MON)
    clock.stop_clock(c, date(2026, 11, 20))
    assert clock.elapsed_working_days(c, date(2026, 11, 6)) == 4


def _error(action) -> InvalidInput:
    with pytest.raises(InvalidInput) as err:
        action()
    return err.value


@pytest.mark.parametrize("limit", [0, -5, True, 1.5])
def test_a_limit_must_be_a_positive_whole_number(english, limit):
    err = _error(lambda: clock.start_clock(limit, MON))
    assert "at least one working day" in str(err.message)
    assert err.field == "limit_working_days"
    assert not TimeLimitClock.objects.exists()


def test_misuse_is_refused_with_clear_messages(english):
    c = clock.start_clock(5, MON)

    err = _error(lambda: clock.resume_clock(c, date(2026, 11, 3)))
    assert "not paused" in str(err.message)

    for blank in ("", "   ", None):
        err = _error(lambda blank=blank: clock.pause_clock(c, date(2026, 11, 3), blank))
        assert "reason for pausing" in str(err.message) and err.field == "reason"
    assert not ClockPause.objects.exists()

    err = _error(lambda: clock.pause_clock(c, date(2026, 11, 1), "before the start"))
    assert "before the time limit started (2026-11-02)" in str(err.message)

    clock.pause_clock(c, date(2026, 11, 3), "a")
    err = _error(lambda: clock.pause_clock(c, date(2026, 11, 4), "b"))
    assert "already paused (since 2026-11-03)" in str(err.message)

    err = _error(lambda: clock.resume_clock(c, date(2026, 11, 2)))
    assert "before the pause began (2026-11-03)" in str(err.message)

    err = _error(lambda: clock.stop_clock(c, date(2026, 11, 2)))
    assert "before its pause began (2026-11-03)" in str(err.message)

    clock.resume_clock(c, date(2026, 11, 6))
    err = _error(lambda: clock.pause_clock(c, date(2026, 11, 5), "overlapping"))
    assert "before the previous one ended (2026-11-06)" in str(err.message)

    for days in (0, -1, True):
        err = _error(lambda days=days: clock.extend_clock(c, days, "x"))
        assert "at least one working day" in str(err.message) and err.field == "days"
    err = _error(lambda: clock.extend_clock(c, 10, " "))
    assert "reason for the extension" in str(err.message)
    assert not ClockExtension.objects.exists()

    err = _error(lambda: clock.stop_clock(c, date(2026, 11, 1)))
    assert "cannot stop before it started" in str(err.message)

    clock.stop_clock(c, date(2026, 11, 9))
    err = _error(lambda: clock.stop_clock(c, date(2026, 11, 10)))
    assert "already stopped" in str(err.message)
    err = _error(lambda: clock.extend_clock(c, 1, "too late"))
    assert "stopped time limit cannot be extended" in str(err.message)
    err = _error(lambda: clock.pause_clock(c, date(2026, 11, 10), "too late"))
    assert "stopped time limit cannot be paused" in str(err.message)
    c.refresh_from_db()
    assert (c.state, c.extended_days, c.stopped_on) == (ClockState.STOPPED, 0, date(2026, 11, 9))


def test_a_stale_copy_of_the_clock_cannot_pause_it_twice(english):
    c = clock.start_clock(5, MON)
    stale = TimeLimitClock.objects.get(pk=c.pk)
    clock.pause_clock(c, date(2026, 11, 3), "first")
    assert stale.state == ClockState.RUNNING  # another request's copy, loaded before
    err = _error(lambda: clock.pause_clock(stale, date(2026, 11, 4), "second"))
    assert "already paused" in str(err.message)
    assert ClockPause.objects.count() == 1


def test_the_database_allows_one_open_pause_per_clock():
    c = clock.start_clock(5, MON)
    ClockPause.objects.create(clock=c, paused_on=MON, reason="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClockPause.objects.create(clock=c, paused_on=MON, reason="b")


def test_reading_a_clock_takes_few_queries(django_assert_max_num_queries):
    c = clock.start_clock(20, MON)
    for i in range(5):
        clock.pause_clock(c, MON + timedelta(days=7 * i), "p")
        clock.resume_clock(c, MON + timedelta(days=7 * i + 2))
    with django_assert_max_num_queries(3):  # the pauses, the span so far, the rest
        clock.due_date(c, date(2026, 12, 31))


@settings(max_examples=40, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
    limit=st.integers(min_value=1, max_value=30),
    pause_after=st.integers(min_value=0, max_value=20),
    pause_length=st.integers(min_value=0, max_value=20),
    resumed=st.booleans(),
    look=st.integers(min_value=0, max_value=40),
)
def test_remaining_days_are_the_working_days_until_the_due_date(
    start, limit, pause_after, pause_length, resumed, look
):
    with transaction.atomic():
        c = clock.start_clock(limit, start)
        paused_on = start + timedelta(days=pause_after)
        clock.pause_clock(c, paused_on, "p")
        if resumed:
            clock.resume_clock(c, paused_on + timedelta(days=pause_length))
            today = paused_on + timedelta(days=pause_length + look)
        else:
            today = paused_on + timedelta(days=look)
        due = clock.due_date(c, today)
        remaining = clock.remaining_working_days(c, today)
        if today <= due:
            assert remaining == calendar.working_days_between(today, due)
        else:
            assert remaining == -calendar.working_days_between(due, today)
        assert remaining + clock.elapsed_working_days(c, today) == limit
        transaction.set_rollback(True)
