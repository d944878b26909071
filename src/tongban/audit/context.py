"""Who is acting and from where: set by middleware for requests, by commands and by the worker.

Services record audit entries without being told the actor; they read it from here.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class AuditContext:
    actor_id: int | None = None
    actor_username: str = ""
    ip: str = ""
    source: str = ""
    request_id: str = ""


_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "tongban_audit_context",
    default=AuditContext(),  # noqa: B039 - frozen
)


def current() -> AuditContext:
    return _current.get()


def actor_fields(user: Any) -> dict[str, Any]:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"actor_id": None, "actor_username": ""}
    return {"actor_id": user.pk, "actor_username": user.get_username()}


@contextmanager
def audit_context(
    *, user: Any = None, ip: str = "", source: str = "", request_id: str = "", **extra: Any
) -> Iterator[AuditContext]:
    """Run a block with the given actor and origin (used by middleware, commands, the worker)."""
    ctx = AuditContext(
        **actor_fields(user),
        ip=ip,
        source=source,
        request_id=request_id or uuid.uuid4().hex,
        **extra,
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def set_actor(user: Any) -> None:
    """Name the actor once authentication is known (API tokens authenticate inside the view)."""
    _current.set(replace(_current.get(), **actor_fields(user)))
