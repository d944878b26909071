"""RFC 9457 problem details (application/problem+json) in the user's language."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from tongban.core.errors import ServiceError

PROBLEM_TYPE = "urn:tongban:problem:"
CONTENT_TYPE = "application/problem+json"


def titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Request too large"),
        422: _("Invalid input"),
        429: _("Too many attempts"),
        500: _("Server error"),
    }


def problem(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    code: str = "",
    errors: dict[str, list[str]] | list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + (code or str(status)),
        "title": titles().get(status, _("Error")),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    return JsonResponse(
        body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )


def from_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return problem(request, exc.status, str(exc.message), code=exc.code, errors=exc.errors or None)
