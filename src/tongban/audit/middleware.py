"""Sets the audit context (actor, source IP, request id) for every request."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tongban.audit.context import audit_context


def client_ip(request: HttpRequest) -> str:
    """The client's address; ``X-Forwarded-For`` only when a trusted proxy is configured."""
    if getattr(settings, "TONGBAN_TRUSTED_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.META.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex
        source = "api" if request.path.startswith("/api/") else "web"
        with audit_context(
            user=getattr(request, "user", None),
            ip=client_ip(request),
            source=source,
            request_id=request_id,
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
