"""Errors that services raise for the user: each carries a translatable message and an HTTP status.

Views show the message next to the form; the API turns it into RFC 9457 problem+json.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """A request the platform refuses, with a message in the user's language."""

    status = 400
    code = "bad_request"
    default_message: Any = _("The request could not be carried out.")

    def __init__(
        self,
        message: Any = None,
        *,
        field: str | None = None,
        errors: dict[str, list[str]] | None = None,
        code: str | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.field = field
        self.errors = errors or ({field: [str(self.message)]} if field else {})
        if code:
            self.code = code
        super().__init__(str(self.message))


class InvalidInput(ServiceError):
    status = 422
    code = "invalid"
    default_message = _("Some of the input is not valid.")


class NotFound(ServiceError):
    status = 404
    code = "not_found"
    default_message = _("Not found, or you may not see it.")


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"
    default_message = _("You are not allowed to do this.")


class Conflict(ServiceError):
    status = 409
    code = "conflict"
    default_message = _("This conflicts with data that already exists.")


class Unauthenticated(ServiceError):
    status = 401
    code = "unauthenticated"
    default_message = _("Please sign in.")


class TooManyAttempts(ServiceError):
    status = 429
    code = "locked"
    default_message = _("Too many failed attempts. Try again later.")
