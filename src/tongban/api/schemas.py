"""Schemas of the audit API (audit sits below identity, so its router lives in ``tongban.api``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class AuditEntryOut(Schema):
    seq: int
    created_at: datetime
    actor_username: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any
    after: Any
    ip: str
    source: str
    outcome: str
    detail: str
    entry_hash: str


class VerifyOut(Schema):
    ok: bool
    checked: int
    bad_seq: int | None
    message: str


class AuditPage(Schema):
    items: list[AuditEntryOut]
    next_cursor: str | None
