"""Language choice: the platform speaks Simplified Chinese unless the person chose otherwise.

Web pages follow the language switch (a cookie) and otherwise ``LANGUAGE_CODE`` (zh-hans),
whatever the browser's Accept-Language says — a government site answers in Chinese by default.
API clients negotiate with Accept-Language as usual.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _


class PlatformLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than ``MAX_REQUEST_BYTES`` (``TONGBAN_MAX_UPLOAD_MB``)
    before anything reads it: Django spools uploaded files to disk without a limit of its own.
    The reverse proxy should refuse them earlier still (client_max_body_size)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BYTES
        if length > limit:
            message = _("The upload is too large: at most %(mb)d MB in one request.") % {
                "mb": limit // (1024 * 1024)
            }
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"type": "about:blank", "title": message, "status": 413, "detail": message},
                    status=413,
                    content_type="application/problem+json",
                )
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
