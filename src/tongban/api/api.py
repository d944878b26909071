"""The one NinjaAPI at /api/v1/: routers, authentication and problem+json errors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from tongban.api.auth import AUTH
from tongban.api.problems import from_service_error, problem
from tongban.api.routers import (
    audit,
    calendar,
    documents,
    identity,
    notifications,
    org,
    records,
    seals,
    workflow,
)
from tongban.core.errors import ServiceError


class ReadableJSONRenderer(JSONRenderer):
    """Chinese stays readable in responses (JSON is UTF-8 by definition)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ReadableJSONRenderer(),
    title="tongban API",
    version="1",
    description=(
        "REST API of tongban (一网通办). Authenticate with the web session (plus the CSRF header) "
        "or with `Authorization: Bearer <token>` from `POST /api/v1/auth/token`. Errors are RFC "
        "9457 problem+json in the language of `Accept-Language` (zh-hans by default, or en)."
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("", identity.router)
api.add_router("", org.router)
api.add_router("", audit.router)
api.add_router("", workflow.router)
api.add_router("", notifications.router)
api.add_router("", seals.router)
api.add_router("", documents.router)
api.add_router("", records.router)
api.add_router("", calendar.router)


@api.exception_handler(ServiceError)
def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return from_service_error(request, exc)


def _location(loc: tuple | list) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        field = _location(err.get("loc", ()))
        kind = err.get("type", "")
        if kind == "missing":
            message = _("This field is required.")
        elif kind.startswith(("int_", "bool_", "float_", "datetime_", "date_")) or kind.endswith(
            "_type"
        ):
            message = _("This field has the wrong type.")
        elif kind == "string_too_long":
            message = _("This value is too long.")
        else:
            message = str(err.get("msg", _("This value is not valid.")))
        errors.setdefault(field, []).append(message)
    detail = "; ".join(f"{field}: {msgs[0]}" for field, msgs in errors.items())
    return problem(request, 422, detail, code="invalid", errors=errors)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        request, 401, _("Sign in, or send a valid bearer token."), code="unauthenticated"
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and "parse request body" in str(exc):
        return problem(
            request, 400, _("The request body is not valid JSON."), code="malformed_json"
        )
    if exc.status_code == 403:
        return problem(request, 403, _("You are not allowed to do this."), code="forbidden")
    return problem(request, exc.status_code, str(exc), code=str(exc.status_code))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, _("Not found, or you may not see it."), code="not_found")


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(request, 403, _("You are not allowed to do this."), code="forbidden")
