"""API guards: who may call an endpoint, decided before django-ninja parses the request body.

Ninja authenticates before it validates, so an endpoint guarded here answers a person who may
not use it with 403 (or 404 for an object that is none of theirs) whatever they sent, and never
with a 422 that would describe the endpoint or confirm that its object exists. The services check
again; the guard only puts the refusal first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from tongban.identity.http import StaffSessionAuth, TokenAuth
from tongban.identity.models import User
from tongban.org import policy

Check = Callable[[User, dict[str, Any]], object]


def _path_arguments(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    return dict(match.kwargs) if match is not None else {}


def guarded(check: Check) -> list[Any]:
    """The platform's two authentications, each followed by ``check(user, path_arguments)``,
    which raises the service error that refuses (Forbidden, NotFound)."""

    def authenticated(base: type[TokenAuth] | type[StaffSessionAuth]) -> Any:
        def authenticate(self: Any, request: HttpRequest, credential: Any) -> Any:
            user = base.authenticate(self, request, credential)
            if user:
                check(user, _path_arguments(request))
            return user

        # The same class name keeps one security scheme per kind in the OpenAPI document.
        return type(base.__name__, (base,), {"authenticate": authenticate})()

    return [authenticated(TokenAuth), authenticated(StaffSessionAuth)]


def requires(action: str) -> list[Any]:
    """Only those who hold ``action`` somewhere (refusals are audited)."""
    return guarded(lambda user, _path: policy.require(user, action))


def requires_any(*actions: str) -> list[Any]:
    def check(user: User, _path: dict[str, Any]) -> None:
        if not any(policy.can(user, action) for action in actions):
            policy.require(user, actions[0])

    return guarded(check)
