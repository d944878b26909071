"""The pausable legal time-limit clock."""

from __future__ import annotations

from datetime import date

import pytest

from tongban.core import calendar, clock
from tongban.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_twenty_working_days_from_a_monday():
    c = clock.start_clock(20, date(2026, 11, 2))
    assert clock.due_date(c) == date(2026, 11, 30)
    assert clock.remaining_working_days(c, date(2026, 11, 2)) == 20


def test_pause_does_not_count_and_extension_adds():
    c = clock.start_clock(20, date(2026, 11, 2))
    clock.pause_clock(c, date(2026, 11, 6), "专家评审")
    clock.resume_clock(c, date(2026, 11, 13))  # five working days paused
    assert clock.due_date(c) == calendar.add_working_days(date(2026, 11, 2), 25)
    clock.extend_clock(c, 10, "经本机关负责人批准延长")
    assert clock.due_date(c) == calendar.add_working_days(date(2026, 11, 2), 35)


def test_pause_across_the_spring_festival_counts_only_working_days():
    c = clock.start_clock(5, date(2026, 2, 12))
    clock.pause_clock(c, date(2026, 2, 13), "听证")
    clock.resume_clock(c, date(2026, 2, 24))
    paused = calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 24))
    assert clock.paused_working_days(c) == paused
    assert paused < 11  # the holidays in between do not count


def test_open_pause_counts_until_today():
    c = clock.start_clock(10, date(2026, 11, 2))
    clock.pause_clock(c, date(2026, 11, 3), "补正材料")
    assert clock.due_date(c, today=date(2026, 11, 10)) == calendar.add_working_days(
        date(2026, 11, 2), 15
    )


def test_overdue_is_negative():
    c = clock.start_clock(3, date(2026, 11, 2))
    assert clock.remaining_working_days(c, date(2026, 11, 9)) == -2


@pytest.mark.parametrize("bad", ["pause_twice", "resume_running", "empty_reason", "zero_extension"])
def test_misuse_is_refused_with_a_message(bad):
    c = clock.start_clock(5, date(2026, 11, 2))
    with pytest.raises(InvalidInput):
        if bad == "pause_twice":
            clock.pause_clock(c, date(2026, 11, 3), "a")
            clock.pause_clock(c, date(2026, 11, 4), "b")
        elif bad == "resume_running":
            clock.resume_clock(c, date(2026, 11, 3))
        elif bad == "empty_reason":
            clock.pause_clock(c, date(2026, 11, 3), "  ")
        else:
            clock.extend_clock(c, 0, "x")


def test_stop_closes_an_open_pause():
    c = clock.start_clock(5, date(2026, 11, 2))
    clock.pause_clock(c, date(2026, 11, 3), "a")
    clock.stop_clock(c, date(2026, 11, 5))
    c.refresh_from_db()
    assert c.state == "stopped" and c.pauses.get().resumed_on == date(2026, 11, 5)
    with pytest.raises(InvalidInput):
        clock.extend_clock(c, 1, "too late")
