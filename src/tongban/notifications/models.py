"""A message to one person in the platform (站内消息)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    URGE = "urge", _("Reminder")
    TASK = "task", _("New task")
    ESCALATION = "escalation", _("Deadline passed")
    EXPIRY = "expiry", _("Certificate expiring")
    DOCUMENT = "document", _("Incoming document")
    CIRCULATE = "circulate", _("For reading")
    RETURNED = "returned", _("Sent back")
    ENDED = "ended", _("Process ended")
    CALENDAR = "calendar", _("Holiday arrangement missing")


class Notification(models.Model):
    """What happened, for whom, about which object; read or not."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    # A platform message is kept as its untranslated template and values, so each person reads it
    # in their own language; ``title`` and ``body`` hold it in the platform's language.
    title_template = models.CharField(max_length=200, blank=True)
    body_template = models.CharField(max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        indexes = [
            models.Index(fields=["recipient", "-id"]),
            models.Index(fields=["recipient", "read_at"]),
            # Settling the notifications about an object once it asks nothing more of anyone.
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (the active one)."""
        return _rendered(self.title_template, self.params) or self.title

    @property
    def shown_body(self) -> str:
        return _rendered(self.body_template, self.params) or self.body


def _rendered(template: str, params: dict[str, str]) -> str:
    if not template:
        return ""
    try:
        return gettext(template) % params
    except (KeyError, TypeError, ValueError):
        return ""  # a template whose values do not fit: the stored text stands
