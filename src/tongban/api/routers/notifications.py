"""The signed-in person's notifications. Thin: parse → service/selector → schema."""

from __future__ import annotations

from ninja import Router

from tongban.api import pagination
from tongban.api.auth import ApiRequest
from tongban.api.schemas import MarkedOut, MarkReadIn, NotificationPage
from tongban.notifications import selectors, services

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
