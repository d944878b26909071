"""``Idempotency-Key`` for creating POSTs: a retried request gets the first answer, not a duplicate."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.http.problems import problem
from tongban.core.models import IdempotentRequest

HEADER = "HTTP_IDEMPOTENCY_KEY"
KEEP_FOR = timedelta(hours=24)


def run(request: HttpRequest, create: Callable[[], tuple[int, dict[str, Any]]]) -> HttpResponse:
    """Call ``create`` once per (user, key); replay its stored answer for a repeated key."""
    key = request.META.get(HEADER, "").strip()
    if not key:
        status, body = create()
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if len(key) > 100:
        return problem(
            request, 422, _("An Idempotency-Key has at most 100 characters."), code="invalid"
        )
    user_id = request.auth.pk  # type: ignore[attr-defined]  # set by ninja's authenticator
    method = request.method or ""
    digest = hashlib.sha256(method.encode() + request.path.encode() + request.body).hexdigest()
    previous = IdempotentRequest.objects.filter(
        user_id=user_id, key=key, created_at__gte=timezone.now() - KEEP_FOR
    ).first()
    if previous is not None:
        if previous.request_hash != digest:
            return problem(
                request,
                422,
                _("This Idempotency-Key was already used for a different request."),
                code="idempotency_key_reused",
            )
        response = JsonResponse(
            previous.response_body,
            status=previous.status_code,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Idempotent-Replayed"] = "true"
        return response
    IdempotentRequest.objects.filter(user_id=user_id, key=key).delete()
    try:
        with transaction.atomic():
            status, body = create()
            IdempotentRequest.objects.create(
                user_id=user_id,
                key=key,
                method=request.method or "",
                path=request.path[:300],
                request_hash=digest,
                status_code=status,
                response_body=body,
            )
    except IntegrityError:
        return problem(
            request, 409, _("The same request is already being processed."), code="conflict"
        )
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def purge_expired() -> int:
    """Worker job: forget stored answers older than the replay window."""
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
    return deleted
