"""core data: calendar overrides, legal time-limit clocks, numbering sequences, stored files."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkingDayOverride(models.Model):
    """A local arrangement (or a year chinese-calendar does not know yet): this day is/isn't worked."""

    day = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    created_by_username = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("working-day override")

    def __str__(self) -> str:
        return f"{self.day}: {'working' if self.is_working_day else 'off'}"


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class TimeLimitClock(models.Model):
    """计时: a legal time limit in working days that can pause, resume and be extended."""

    limit_working_days = models.PositiveIntegerField(_("limit (working days)"))
    started_on = models.DateField(_("started on"))
    extended_days = models.PositiveIntegerField(_("extension (working days)"), default=0)
    state = models.CharField(max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    stopped_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("time-limit clock")

    def __str__(self) -> str:
        return f"{self.limit_working_days}+{self.extended_days} working days from {self.started_on}"


class ClockPause(models.Model):
    clock = models.ForeignKey(TimeLimitClock, on_delete=models.CASCADE, related_name="pauses")
    paused_on = models.DateField()
    resumed_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["paused_on", "id"]

    def __str__(self) -> str:
        return f"pause {self.paused_on}–{self.resumed_on or '…'}: {self.reason}"


class ClockExtension(models.Model):
    clock = models.ForeignKey(TimeLimitClock, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveIntegerField()
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"+{self.days}: {self.reason}"


class NumberSequence(models.Model):
    """A gap-free counter, e.g. ``doc:示政发:2026`` for 发文字号 or ``accept:2026`` for 受理编号."""

    key = models.CharField(max_length=100, unique=True)
    last_value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.last_value}"


class StoredFile(models.Model):
    """A file in the content-addressed store, named by the SHA-256 of its bytes."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.original_name or self.sha256[:12]} ({self.size} bytes)"
