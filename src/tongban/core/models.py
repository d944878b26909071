"""core data: calendar overrides and entered holiday arrangements, legal time-limit clocks,
numbering sequences, stored files.

Layer 1: nothing here refers to another tongban app (users are recorded by username, not by a
foreign key), so every other layer can build on these tables.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkingDayOverride(models.Model):
    """A local arrangement (本地调整) that makes one day a working day or a day off.

    It wins over the State Council arrangements of ``chinese-calendar``; administrators also use
    it to record the notice of a year the package does not know yet.
    """

    day = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    created_by_username = models.CharField(_("recorded by"), max_length=150, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self) -> str:
        return f"{self.day}: {'working' if self.is_working_day else 'off'}"


class HolidayArrangement(models.Model):
    """A year's national holiday arrangement (年度节假日安排), entered by the system administrator
    from the State Council General Office notice (国务院办公厅关于部分节假日安排的通知) for a year
    that ``chinese-calendar`` does not know yet. Its days are ``HolidayArrangementDay`` rows;
    every other day of the year is a working day from Monday to Friday.

    Keyed by the year, so a notification about the arrangement of a year not entered yet can name
    it (``core.holidayarrangement`` / ``2027``).
    """

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    notice = models.CharField(_("notice"), max_length=200)
    entered_by_username = models.CharField(_("entered by"), max_length=150, blank=True)
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)

    class Meta:
        ordering = ["year"]
        verbose_name = _("holiday arrangement")
        verbose_name_plural = _("holiday arrangements")

    def __str__(self) -> str:
        return f"{self.year}: {self.notice}"


class HolidayArrangementDay(models.Model):
    """One day of an entered arrangement: a holiday (放假) or a make-up working day (调休上班)."""

    arrangement = models.ForeignKey(
        HolidayArrangement,
        on_delete=models.CASCADE,
        related_name="days",
        verbose_name=_("holiday arrangement"),
    )
    day = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("holiday"), max_length=30)

    class Meta:
        ordering = ["day"]
        verbose_name = _("day of a holiday arrangement")
        verbose_name_plural = _("days of holiday arrangements")

    def __str__(self) -> str:
        return f"{self.day}: {self.name} {'working' if self.is_working_day else 'off'}"


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class TimeLimitClock(models.Model):
    """计时: a legal time limit in working days that can pause, resume and be extended."""

    limit_working_days = models.PositiveIntegerField(_("limit (working days)"))
    started_on = models.DateField(_("started on"))
    extended_days = models.PositiveIntegerField(_("extension (working days)"), default=0)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("time-limit clock")
        verbose_name_plural = _("time-limit clocks")
        constraints = [
            models.CheckConstraint(
                condition=Q(limit_working_days__gte=1), name="core_clock_limit_positive"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ClockState.values), name="core_clock_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(stopped_on__isnull=True) | Q(stopped_on__gte=models.F("started_on")),
                name="core_clock_stops_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.limit_working_days}+{self.extended_days} working days from {self.started_on}"


class ClockPause(models.Model):
    """A period that does not count (暂停/中止计时): hearing, testing, expert review, supplements."""

    clock = models.ForeignKey(
        TimeLimitClock, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("clock")
    )
    paused_on = models.DateField(_("paused on"))
    resumed_on = models.DateField(_("resumed on"), null=True, blank=True)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["paused_on", "id"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        constraints = [
            models.UniqueConstraint(
                fields=["clock"],
                condition=Q(resumed_on__isnull=True),
                name="core_one_open_pause_per_clock",
            ),
            models.CheckConstraint(
                condition=Q(resumed_on__isnull=True) | Q(resumed_on__gte=models.F("paused_on")),
                name="core_pause_resumes_after_it_began",
            ),
        ]

    def __str__(self) -> str:
        return f"pause {self.paused_on}–{self.resumed_on or '…'}: {self.reason}"


class ClockExtension(models.Model):
    """An extension (延长期限) of a clock, e.g. 行政许可法: 20 working days + 10 with approval."""

    clock = models.ForeignKey(
        TimeLimitClock,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("clock"),
    )
    days = models.PositiveIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1), name="core_extension_positive"),
        ]

    def __str__(self) -> str:
        return f"+{self.days}: {self.reason}"


class NumberSequence(models.Model):
    """A gap-free counter, e.g. ``doc:苏政办发:2026`` for 发文字号 or ``accept:2026`` for 受理编号."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    last_value = models.BigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.key}={self.last_value}"


class StoredFile(models.Model):
    """A file in the content-addressed store, named by the SHA-256 of its bytes (固定性)."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    original_name = models.CharField(_("original name"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("stored at"), default=timezone.now)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return f"{self.original_name or self.sha256[:12]} ({self.size} bytes)"


class IdempotentRequest(models.Model):
    """The stored answer to a creating POST sent with an ``Idempotency-Key`` (core.http)."""

    user_id = models.BigIntegerField()
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "key"], name="api_idempotency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
