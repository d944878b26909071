"""Idle session timeout and forced password change (等保 2.0: automatic logout, periodic change)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.identity.services import password_expired

LAST_SEEN_KEY = "tongban_last_seen"


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            idle_limit = settings.TONGBAN_SESSION_IDLE_MINUTES * 60
            if now - last_seen > idle_limit:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {
                            "type": "about:blank",
                            "title": _("Session expired"),
                            "status": 401,
                            "detail": _("You were signed out after a period of inactivity."),
                        },
                        status=401,
                        content_type="application/problem+json",
                    )
                messages.info(request, _("You were signed out after a period of inactivity."))
                return HttpResponseRedirect(f"{reverse('identity:sign_in')}?next={request.path}")
            if now - last_seen > 30 or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


EXEMPT_PREFIXES = ("/static/", "/healthz", "/i18n/", "/api/")


class PasswordRotationMiddleware:
    """Send a signed-in person whose password expired to the change-password page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and password_expired(user)
        ):
            allowed = {reverse("identity:change_password"), reverse("identity:sign_out")}
            if request.path not in allowed:
                return HttpResponseRedirect(reverse("identity:change_password"))
        return self.get_response(request)
