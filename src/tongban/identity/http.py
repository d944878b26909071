"""The typed requests of the entry points, the ``Viewer`` of selectors, and API authentication.

A view of a signed-in page takes a ``StaffRequest``; an API endpoint an ``ApiRequest`` (ninja puts
the acting account in ``auth``). Selectors read "for" a ``Viewer``: what that person may see.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from tongban.audit.context import set_actor
from tongban.identity.models import User
from tongban.identity.services import user_for_token

# The person a selector reads for: a signed-in staff account (the public accounts of the
# service hall join this type when they arrive).
Viewer: TypeAlias = User


class StaffRequest(HttpRequest):
    """A request from a signed-in person (views behind ``login_required``)."""

    user: User


class ApiRequest(HttpRequest):
    """A request that passed API authentication: ``auth`` is the acting account."""

    auth: User


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        set_actor(user)
        return user


class StaffSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH = [TokenAuth(), StaffSessionAuth()]
