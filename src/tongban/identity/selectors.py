"""Reads of one's own credentials."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.identity.models import ApiToken, User


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """A person's own API tokens (their prefixes only; a token is shown whole once)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")
