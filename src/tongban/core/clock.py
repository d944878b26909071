"""The pausable legal time-limit clock (计时) used for every statutory limit.

A limit of N working days runs from ``started_on``; pauses (hearings, expert review, a
supplement notice) do not count; extensions (e.g. 行政许可法: 20 days + 10 with the head's
approval) add working days. Callers check permission and audit the change.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import calendar
from tongban.core.errors import InvalidInput
from tongban.core.models import ClockExtension, ClockPause, ClockState, TimeLimitClock


def start_clock(limit_working_days: int, started_on: date) -> TimeLimitClock:
    if limit_working_days <= 0:
        raise InvalidInput(_("A time limit must be at least one working day."), field="limit")
    return TimeLimitClock.objects.create(
        limit_working_days=limit_working_days, started_on=started_on
    )


def pause_clock(clock: TimeLimitClock, on: date, reason: str) -> ClockPause:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for pausing the time limit."), field="reason")
    if clock.state != ClockState.RUNNING:
        raise InvalidInput(_("Only a running time limit can be paused."))
    if on < clock.started_on:
        raise InvalidInput(_("A pause cannot start before the time limit did."), field="on")
    with transaction.atomic():
        pause = ClockPause.objects.create(clock=clock, paused_on=on, reason=reason[:200])
        clock.state = ClockState.PAUSED
        clock.save(update_fields=["state"])
    return pause


def resume_clock(clock: TimeLimitClock, on: date) -> None:
    if clock.state != ClockState.PAUSED:
        raise InvalidInput(_("Only a paused time limit can be resumed."))
    pause = clock.pauses.filter(resumed_on__isnull=True).last()
    if pause is None or on < pause.paused_on:
        raise InvalidInput(_("A pause cannot end before it began."), field="on")
    with transaction.atomic():
        pause.resumed_on = on
        pause.save(update_fields=["resumed_on"])
        clock.state = ClockState.RUNNING
        clock.save(update_fields=["state"])


def extend_clock(clock: TimeLimitClock, days: int, reason: str) -> ClockExtension:
    reason = (reason or "").strip()
    if days <= 0:
        raise InvalidInput(_("An extension must be at least one working day."), field="days")
    if not reason:
        raise InvalidInput(_("Give the reason for the extension."), field="reason")
    if clock.state == ClockState.STOPPED:
        raise InvalidInput(_("A stopped time limit cannot be extended."))
    with transaction.atomic():
        extension = ClockExtension.objects.create(clock=clock, days=days, reason=reason[:200])
        clock.extended_days += days
        clock.save(update_fields=["extended_days"])
    return extension


def stop_clock(clock: TimeLimitClock, on: date) -> None:
    if clock.state == ClockState.STOPPED:
        raise InvalidInput(_("The time limit is already stopped."))
    with transaction.atomic():
        open_pause = clock.pauses.filter(resumed_on__isnull=True).last()
        if open_pause is not None:
            open_pause.resumed_on = on
            open_pause.save(update_fields=["resumed_on"])
        clock.state = ClockState.STOPPED
        clock.stopped_on = on
        clock.save(update_fields=["state", "stopped_on"])


def paused_working_days(clock: TimeLimitClock, today: date | None = None) -> int:
    """Working days spent paused; an open pause counts up to ``today``."""
    today = today or timezone.localdate()
    total = 0
    for pause in clock.pauses.all():
        end = pause.resumed_on or today
        total += calendar.working_days_between(pause.paused_on, end)
    return total


def due_date(clock: TimeLimitClock, today: date | None = None) -> date:
    days = clock.limit_working_days + clock.extended_days + paused_working_days(clock, today)
    return calendar.add_working_days(clock.started_on, days)


def elapsed_working_days(clock: TimeLimitClock, today: date | None = None) -> int:
    today = today or timezone.localdate()
    end = clock.stopped_on if clock.stopped_on else today
    return calendar.working_days_between(clock.started_on, end) - paused_working_days(clock, end)


def remaining_working_days(clock: TimeLimitClock, today: date | None = None) -> int:
    """Working days left (negative when overdue)."""
    today = today or timezone.localdate()
    return clock.limit_working_days + clock.extended_days - elapsed_working_days(clock, today)
