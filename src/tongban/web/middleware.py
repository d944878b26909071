"""Language choice: the platform speaks Simplified Chinese unless the person chose otherwise.

Web pages follow the language switch (a cookie) and otherwise ``LANGUAGE_CODE`` (zh-hans),
whatever the browser's Accept-Language says — a government site answers in Chinese by default.
API clients negotiate with Accept-Language as usual.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
