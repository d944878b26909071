"""Hashing of audit entries: the canonical form, the chain link and the head's seal."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

GENESIS = "0" * 64

HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "ip",
    "source",
    "request_id",
    "outcome",
    "detail",
    "prev_hash",
)


def canonical(fields: dict[str, Any]) -> bytes:
    """The bytes that are hashed: the entry's fields as sorted, compact JSON."""
    data = {name: fields[name] for name in HASHED_FIELDS}
    created = data["created_at"]
    data["created_at"] = created.isoformat(timespec="microseconds") if created else None
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode("utf-8")


def entry_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


def seal(seq: int, digest: str) -> str:
    key = settings.AUDIT_HMAC_KEY.encode("utf-8")
    return hmac.new(key, f"{seq}:{digest}".encode(), hashlib.sha256).hexdigest()
