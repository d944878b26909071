"""Schemas of the notifications API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    object_type: str
    object_id: str
    actor: str | None
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj.shown_title)  # in the language of the request

    @staticmethod
    def resolve_body(obj: Any) -> str:
        return str(obj.shown_body)

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.display_name if obj.actor_id else None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


class MarkReadIn(Schema):
    ids: list[int] | None = Field(default=None, description="Omit to mark every one read.")


class MarkedOut(Schema):
    marked: int
    unread: int
