"""Sending and reading notifications. Sending happens inside the action that causes it (an
urge, a hand-over, a deadline), whose audit entry names the recipients; reading is audited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.core.errors import InvalidInput, NotFound
from tongban.identity.models import User
from tongban.notifications.models import Notification, NotificationKind

MAX_BODY = 2000


def notify(
    recipients: Iterable[User],
    *,
    kind: str,
    title: str,
    body: str = "",
    params: Mapping[str, Any] | None = None,
    body_is_template: bool = False,
    obj: Any = None,
    actor: User | None = None,
) -> list[Notification]:
    """One notification for each distinct active recipient (the actor is not told of their own
    action). Called inside the caller's transaction, so it is sent only if the action holds.

    With ``params``, ``title`` (and ``body`` when ``body_is_template``) is an untranslated
    template (``gettext_noop``) filled in with them: each recipient reads it in their own
    language. Otherwise the texts are stored as they are (a person's own words)."""
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    if actor is not None:
        people.pop(actor.pk, None)
    object_type = obj._meta.label_lower if obj is not None else ""
    values = {key: str(value) for key, value in (params or {}).items()}
    title_template = body_template = ""
    if params is not None:
        title_template = title
        body_template = body if body_is_template else ""
        with translation.override(settings.LANGUAGE_CODE):
            title = gettext(title) % values
            if body_is_template:
                body = gettext(body) % values
    return Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=kind,
                title=title[:200],
                body=body[:MAX_BODY],
                title_template=title_template[:200],
                body_template=body_template[:200],
                params=values,
                object_type=object_type,
                object_id=str(obj.pk) if obj is not None else "",
                actor=actor,
            )
            for user in people.values()
        ]
    )


def mark_read(user: User, ids: list[int] | None = None) -> int:
    """Mark the person's own notifications read: the given ones, or all when ``ids`` is None."""
    if ids is not None and (
        not isinstance(ids, list) or not all(isinstance(i, int) for i in ids) or len(ids) > 500
    ):
        raise InvalidInput(_("Give at most 500 notification numbers."), field="ids")
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
        if ids is not None:
            unread = unread.filter(pk__in=ids)
        changed = unread.update(read_at=timezone.now())
        if changed:
            record(
                "notifications.read",
                object_type="notifications.notification",
                after={"count": changed, "ids": ids[:50] if ids else "all"},
            )
    return changed


def open_notification(user: User, note_id: int) -> Notification:
    """Open one of the person's own notifications: it is marked read; another's is not found."""
    note = Notification.objects.filter(recipient=user, pk=note_id).first()
    if note is None:
        raise NotFound()
    mark_read(user, [note.pk])
    return note


def settle(
    *,
    object_type: str,
    object_ids: QuerySet[Any],
    kinds: Iterable[str],
    still_needed: Exists,
) -> int:
    """Mark read, for everyone, the unread notifications of ``kinds`` about the given objects
    that no longer ask anything of their recipient (``still_needed`` is False): a 新待办 or 催办
    about a task that has been handled, handed on or taken by a colleague. Called inside the
    action that settles them; the action's own audit entry is joined by one naming the count.
    """
    stale = (
        Notification.objects.filter(
            read_at__isnull=True,
            object_type=object_type,
            kind__in=list(kinds),
            object_id__in=object_ids,
        )
        .annotate(needed=still_needed)
        .filter(needed=False)
    )
    ids = list(stale.values_list("pk", flat=True))
    if not ids:
        return 0
    # Read again under the update: one the person opened meanwhile keeps the time they did.
    changed = Notification.objects.filter(pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    record(
        "notifications.settled",
        object_type="notifications.notification",
        after={"count": changed, "ids": ids[:50], "about": object_type},
    )
    return changed
