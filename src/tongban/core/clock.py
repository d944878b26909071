"""The pausable legal time-limit clock (计时) that every statutory limit runs on.

A limit of N working days runs from ``started_on`` (the day of receipt, which itself does not
count). Pauses (暂停计时: hearings, testing, expert review, a supplement notice, consulting a third
party) do not count; extensions (延长期限, e.g. 行政许可法: 20 working days + 10 with the head's
approval) add working days.

Counting convention, the same half-open ``(start, end]`` as ``core.calendar``: the day a pause
begins still counts; the working days after it up to and including the day the clock resumes do
not. A pause begun and ended on the same day costs nothing.

These functions keep the clock's invariants and nothing else: callers check permission, record
the audit entry and run them inside their own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import calendar as working_days
from tongban.core.calendar import WorkingDays
from tongban.core.errors import InvalidInput
from tongban.core.models import ClockExtension, ClockPause, ClockState, TimeLimitClock

__all__ = [
    "due_date",
    "elapsed_working_days",
    "extend_clock",
    "pause_clock",
    "paused_working_days",
    "remaining_working_days",
    "resume_clock",
    "start_clock",
    "stop_clock",
    "uncertain_years",
]


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _required_reason(reason: str | None, message: object) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(message, field="reason")
    return text


def _lock(clock: TimeLimitClock) -> TimeLimitClock:
    """The clock's current row, locked until the end of the transaction (PostgreSQL)."""
    return TimeLimitClock.objects.select_for_update().get(pk=clock.pk)


def _copy_state(target: TimeLimitClock, source: TimeLimitClock) -> None:
    for name in ("state", "extended_days", "stopped_on"):
        setattr(target, name, getattr(source, name))


def start_clock(limit_working_days: int, started_on: date) -> TimeLimitClock:
    """Start a clock of ``limit_working_days`` working days counted from the day after
    ``started_on`` (受理之日起计算)."""
    if not _positive_int(limit_working_days):
        raise InvalidInput(
            _("A time limit must be at least one working day."), field="limit_working_days"
        )
    return TimeLimitClock.objects.create(
        limit_working_days=limit_working_days, started_on=started_on
    )


def pause_clock(clock: TimeLimitClock, on: date, reason: str) -> ClockPause:
    """Pause a running clock (暂停计时) on ``on``; the reason is required and kept."""
    text = _required_reason(reason, _("Give the reason for pausing the time limit."))
    with transaction.atomic():
        current = _lock(clock)
        if current.state == ClockState.PAUSED:
            open_pause = current.pauses.filter(resumed_on__isnull=True).first()
            since = open_pause.paused_on.isoformat() if open_pause else "?"
            raise InvalidInput(
                _("The time limit is already paused (since %(day)s).") % {"day": since}
            )
        if current.state == ClockState.STOPPED:
            raise InvalidInput(_("A stopped time limit cannot be paused."))
        if on < current.started_on:
            raise InvalidInput(
                _("A pause cannot begin before the time limit started (%(day)s).")
                % {"day": current.started_on.isoformat()},
                field="on",
            )
        last = current.pauses.exclude(resumed_on__isnull=True).order_by("-resumed_on").first()
        if last is not None and last.resumed_on is not None and on < last.resumed_on:
            raise InvalidInput(
                _("A pause cannot begin before the previous one ended (%(day)s).")
                % {"day": last.resumed_on.isoformat()},
                field="on",
            )
        pause = ClockPause.objects.create(clock=current, paused_on=on, reason=text)
        current.state = ClockState.PAUSED
        current.save(update_fields=["state"])
    _copy_state(clock, current)
    return pause


def resume_clock(clock: TimeLimitClock, on: date) -> ClockPause:
    """Resume a paused clock (恢复计时) on ``on``; returns the pause it closes."""
    with transaction.atomic():
        current = _lock(clock)
        if current.state != ClockState.PAUSED:
            raise InvalidInput(_("The time limit is not paused, so it cannot be resumed."))
        pause = current.pauses.get(resumed_on__isnull=True)
        if on < pause.paused_on:
            raise InvalidInput(
                _("The time limit cannot resume before the pause began (%(day)s).")
                % {"day": pause.paused_on.isoformat()},
                field="on",
            )
        pause.resumed_on = on
        pause.save(update_fields=["resumed_on"])
        current.state = ClockState.RUNNING
        current.save(update_fields=["state"])
    _copy_state(clock, current)
    return pause


def extend_clock(clock: TimeLimitClock, days: int, reason: str) -> ClockExtension:
    """Extend the limit by ``days`` working days (延长期限), recording the reason (e.g. the head's
    approval)."""
    if not _positive_int(days):
        raise InvalidInput(_("An extension must be at least one working day."), field="days")
    text = _required_reason(reason, _("Give the reason for the extension."))
    with transaction.atomic():
        current = _lock(clock)
        if current.state == ClockState.STOPPED:
            raise InvalidInput(_("A stopped time limit cannot be extended."))
        extension = ClockExtension.objects.create(clock=current, days=days, reason=text)
        current.extended_days += days
        current.save(update_fields=["extended_days"])
    _copy_state(clock, current)
    return extension


def stop_clock(clock: TimeLimitClock, on: date) -> None:
    """Stop the clock (办结/终止) on ``on``; an open pause ends that day."""
    with transaction.atomic():
        current = _lock(clock)
        if current.state == ClockState.STOPPED:
            raise InvalidInput(_("The time limit is already stopped."))
        if on < current.started_on:
            raise InvalidInput(
                _("A time limit cannot stop before it started (%(day)s).")
                % {"day": current.started_on.isoformat()},
                field="on",
            )
        open_pause = current.pauses.filter(resumed_on__isnull=True).first()
        if open_pause is not None:
            if on < open_pause.paused_on:
                raise InvalidInput(
                    _("The time limit cannot stop before its pause began (%(day)s).")
                    % {"day": open_pause.paused_on.isoformat()},
                    field="on",
                )
            open_pause.resumed_on = on
            open_pause.save(update_fields=["resumed_on"])
        current.state = ClockState.STOPPED
        current.stopped_on = on
        current.save(update_fields=["state", "stopped_on"])
    _copy_state(clock, current)


# --- reading the clock ---------------------------------------------------------------------


def _end_of_counting(clock: TimeLimitClock, today: date) -> date:
    if clock.stopped_on is not None and clock.stopped_on < today:
        return clock.stopped_on
    return today


def _paused_until(pauses: Iterable[ClockPause], until: date, calendar: WorkingDays) -> int:
    """Working days paused up to ``until``; an open pause runs until then."""
    total = 0
    for pause in pauses:
        end = pause.resumed_on if pause.resumed_on is not None else until
        total += calendar.working_days_between(pause.paused_on, min(end, until))
    return total


def paused_working_days(clock: TimeLimitClock, today: date | None = None) -> int:
    """Working days the clock has spent paused; an open pause counts up to ``today``."""
    today = today or timezone.localdate()
    end = _end_of_counting(clock, today)
    calendar = WorkingDays()
    calendar.preload(clock.started_on, end)
    return _paused_until(clock.pauses.all(), end, calendar)


def due_date(clock: TimeLimitClock, today: date | None = None) -> date:
    """The day the limit ends (期限届满日): ``started_on`` + limit + extensions + the working days
    spent paused, where an open pause counts up to ``today`` (and so moves the date each day)."""
    today = today or timezone.localdate()
    end = _end_of_counting(clock, today)
    calendar = WorkingDays()
    calendar.preload(clock.started_on, end)  # every pause lies in this span: one query
    paused = _paused_until(clock.pauses.all(), end, calendar)
    days = clock.limit_working_days + clock.extended_days + paused
    return calendar.add_working_days(clock.started_on, days)


def elapsed_working_days(clock: TimeLimitClock, today: date | None = None) -> int:
    """Working days used (已用时限) by ``today``, or by the day the clock stopped; pauses excluded."""
    today = today or timezone.localdate()
    end = _end_of_counting(clock, today)
    calendar = WorkingDays()
    counted = calendar.working_days_between(clock.started_on, end)
    return counted - _paused_until(clock.pauses.all(), end, calendar)


def remaining_working_days(clock: TimeLimitClock, today: date | None = None) -> int:
    """Working days left (剩余时限) on ``today``: negative when overdue, 0 on the due date."""
    today = today or timezone.localdate()
    total = clock.limit_working_days + clock.extended_days
    return total - elapsed_working_days(clock, today)


def uncertain_years(clock: TimeLimitClock, today: date | None = None) -> list[int]:
    """The years between the clock's start and its due date whose State Council arrangement is not
    known (neither in ``chinese-calendar`` nor entered): the due date counted Monday to Friday
    there and may move once the notice is entered. Empty when the due date is certain."""
    return working_days.uncertain_years(clock.started_on, due_date(clock, today))
