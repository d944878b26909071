"""Language choice and the size of request bodies.

Language: the platform speaks Simplified Chinese unless the person chose otherwise.

Web pages follow the language switch (a cookie) and otherwise ``LANGUAGE_CODE`` (zh-hans),
whatever the browser's Accept-Language says — a government site answers in Chinese by default.
API clients negotiate with Accept-Language as usual.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from tongban.core.http.problems import problem


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
    """Refuse a request body over the documented limits with 413, in the person's language:

    * a body with files (``multipart/form-data``): ``MAX_REQUEST_BYTES`` (``TONGBAN_MAX_UPLOAD_MB``);
      Django spools the files to disk without a limit of its own;
    * any other body (JSON, form fields, a diagram saved from the modeler) and the fields of a
      multipart body together: ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``TONGBAN_MAX_FORM_MB``), which
      Django holds in memory and would otherwise refuse with an English "Bad Request (400)".

    The API answers ``application/problem+json``, the web pages a page of the platform. A body of
    at most ``DRAIN_BYTES`` is read and thrown away first, so that the client finishes sending
    and reads the answer on a connection that stays open; a larger one is answered at once (the
    client stops sending). It runs before any view or ``CsrfViewMiddleware.process_view`` reads
    the body; the reverse proxy should refuse such bodies earlier still (client_max_body_size).
    """

    DRAIN_BYTES = 32 * 1024 * 1024

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.content_type == "multipart/form-data"
        limit = settings.MAX_REQUEST_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            if length <= self.DRAIN_BYTES:
                while request.read(64 * 1024):
                    pass
            return too_large(request, limit)
        if multipart and request.method == "POST":
            try:
                request.POST  # noqa: B018 - parse now: fields over the limit raise here
            except RequestDataTooBig:
                return too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return None


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    """413 with the limit in the person's language: problem+json for the API, a page otherwise."""
    megabytes = max(1, limit // (1024 * 1024))
    message = _("The request is too large: at most %(mb)d MB in one request.") % {"mb": megabytes}
    if request.path.startswith("/api/"):
        return problem(request, 413, message, code="too_large")
    return render(request, "413.html", {"message": message}, status=413)
