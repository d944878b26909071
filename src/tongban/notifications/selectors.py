"""A person's notifications: only ever their own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tongban.notifications.models import Notification

if TYPE_CHECKING:
    from tongban.identity.http import Viewer


def for_user(user: Viewer, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user).select_related("actor")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-id")


def unread_count(user: Viewer) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
