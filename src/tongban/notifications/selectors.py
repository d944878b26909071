"""A person's notifications: only ever their own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tongban.notifications.models import Notification


def for_user(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user).select_related("actor")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-id")


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
