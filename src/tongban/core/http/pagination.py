"""Cursor pagination: stable under inserts, one indexed range query per page."""

from __future__ import annotations

import base64
import binascii
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from tongban.core.errors import InvalidInput

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode(value: int) -> str:
    return base64.urlsafe_b64encode(f"k:{value}".encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, value = raw.split(":", 1)
        if prefix != "k":
            raise ValueError
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput(
            _("The cursor is not valid; start again from the first page."), field="cursor"
        ) from exc


def page(
    qs: QuerySet[M],
    *,
    cursor: str | None,
    limit: int | None,
    key: str = "pk",
    descending: bool = False,
) -> tuple[list[M], str | None]:
    """One page of ``qs`` ordered by ``key`` after ``cursor``; returns the items and the next cursor."""
    limit = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            _("limit must be between 1 and %(max)d.") % {"max": MAX_LIMIT}, field="limit"
        )
    ordered = qs.order_by(f"-{key}" if descending else key)
    if cursor:
        after = decode(cursor)
        ordered = ordered.filter(**{f"{key}__lt" if descending else f"{key}__gt": after})
    items = list(ordered[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode(getattr(items[-1], key if key != "pk" else "pk"))
    return items, next_cursor


def envelope(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}
