"""The audit trail, for the security auditor only."""

from __future__ import annotations

from datetime import datetime
from itertools import chain

from django.http import StreamingHttpResponse
from ninja import Router

from tongban.api.schemas import AuditPage, VerifyOut
from tongban.audit import selectors
from tongban.core.http import pagination
from tongban.identity.http import ApiRequest

router = Router(tags=["audit"])


def _filter(
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    outcome: str,
    since: datetime | None,
    until: datetime | None,
) -> selectors.AuditFilter:
    return selectors.AuditFilter(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        since=since,
        until=until,
    )


@router.get("/audit", response=AuditPage, summary="Audit entries, newest first (auditor only)")
def list_entries(
    request: ApiRequest,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    outcome: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict:
    qs = selectors.audit_entries(
        request.auth, _filter(actor, action, object_type, object_id, outcome, since, until)
    )
    items, nxt = pagination.page(qs, cursor=cursor, limit=limit, key="seq", descending=True)
    return pagination.envelope(items, nxt)


@router.get("/audit/export.csv", summary="Export audit entries as CSV (auditor only)")
def export(
    request: ApiRequest,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    outcome: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> StreamingHttpResponse:
    rows = selectors.export_csv(
        request.auth, _filter(actor, action, object_type, object_id, outcome, since, until)
    )
    first = next(rows)  # runs the permission check before the response starts
    response = StreamingHttpResponse(chain([first], rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response


@router.post("/audit/verify", response=VerifyOut, summary="Verify the hash chain (auditor only)")
def verify(request: ApiRequest) -> dict:
    result = selectors.verify_for(request.auth)
    return {
        "ok": result.ok,
        "checked": result.checked,
        "bad_seq": result.bad_seq,
        "message": result.describe(),
    }
