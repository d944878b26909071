"""The signed-in person's notifications. Thin: parse → service/selector → schema."""

from __future__ import annotations

from ninja import Router

from tongban.core.http import pagination
from tongban.identity.http import ApiRequest
from tongban.notifications import selectors, services
from tongban.notifications.schemas import MarkedOut, MarkReadIn, NotificationPage

router = Router(tags=["notifications"])


@router.get("/notifications", response=NotificationPage, summary="My notifications, newest first")
def list_notifications(
    request: ApiRequest, unread: bool = False, cursor: str | None = None, limit: int | None = None
) -> dict:
    qs = selectors.for_user(request.auth, unread_only=unread)
    items, nxt = pagination.page(qs, cursor=cursor, limit=limit, descending=True)
    return {**pagination.envelope(items, nxt), "unread": selectors.unread_count(request.auth)}


@router.post("/notifications/read", response=MarkedOut, summary="Mark notifications read")
def mark_read(request: ApiRequest, payload: MarkReadIn) -> dict:
    marked = services.mark_read(request.auth, payload.ids)
    return {"marked": marked, "unread": selectors.unread_count(request.auth)}
