"""The review queue of imported documents (待核对) over the API: the open reviews the caller
may see, one review with what was recognised for each element to check, and completing it.
Thin: parse → selector/service → schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Router, Schema

from tongban.api import pagination
from tongban.api.auth import ApiRequest
from tongban.documents import importing, selectors
from tongban.documents.models import ImportReview, ReportRow

router = Router(tags=["documents"])


class CheckOut(Schema):
    element: str = Field(description="title, issuing_authority, doc_number, date_written, doc_type")
    label: str = Field(description="the element's name in the caller's language")
    reason: str = Field(description="missing | uncertain")
    reason_label: str
    recognised: str = Field(description="what was recognised, as text ('' when nothing)")
    confidence: float | None
    evidence: str = Field(description="the line(s) it was read from")


class ImportReviewOut(Schema):
    id: int
    document_id: int
    title: str
    doc_number: str
    department: str
    created_at: datetime
    checks: list[CheckOut]


class ImportReviewPage(Schema):
    items: list[ImportReviewOut]
    next_cursor: str | None


class ImportReviewIn(Schema):
    title: str = Field(max_length=300)
    issuing_authority: str = Field(max_length=200)
    doc_number: str = Field(default="", max_length=100)
    date_written: date | None = None
    doc_type: str = Field(default="", max_length=4)


class CompletedOut(Schema):
    document_id: int
    title: str
    issuing_authority: str
    doc_number: str
    date_written: date | None
    doc_type: str


def _check(review: ImportReview, row: ReportRow) -> dict[str, Any]:
    return {
        "element": row.name,
        "label": row.label,
        "reason": review.to_check.get(row.name, ""),
        "reason_label": row.review,
        "recognised": row.value,
        "confidence": row.confidence,
        "evidence": row.evidence,
    }


def _review(review: ImportReview) -> dict[str, Any]:
    document = review.document
    return {
        "id": review.pk,
        "document_id": document.pk,
        "title": document.title,
        "doc_number": document.doc_number,
        "department": document.department.name,
        "created_at": review.created_at,
        "checks": [_check(review, row) for row in review.checks],
    }


@router.get(
    "/documents/import-reviews",
    response=ImportReviewPage,
    summary="Imported documents with elements to check (待核对), oldest first",
)
def list_reviews(request: ApiRequest, cursor: str | None = None, limit: int | None = None) -> dict:
    qs = selectors.import_reviews(request.auth)
    items, nxt = pagination.page(qs, cursor=cursor, limit=limit)
    return {"items": [_review(r) for r in items], "next_cursor": nxt}


@router.get(
    "/documents/import-reviews/{int:review_id}",
    response=ImportReviewOut,
    summary="One review: what was recognised for each element to check",
)
def get_review(request: ApiRequest, review_id: int) -> dict:
    return _review(selectors.import_review_for(request.auth, review_id))


@router.post(
    "/documents/import-reviews/{int:review_id}/complete",
    response=CompletedOut,
    summary="Complete the elements of an imported document (核对)",
)
def complete_review(request: ApiRequest, review_id: int, payload: ImportReviewIn) -> dict:
    document = importing.complete_review(
        request.auth,
        review_id,
        importing.ReviewIn(
            title=payload.title,
            issuing_authority=payload.issuing_authority,
            doc_number=payload.doc_number,
            date_written=payload.date_written,
            doc_type=payload.doc_type,
        ),
    )
    return {
        "document_id": document.pk,
        "title": document.title,
        "issuing_authority": document.issuing_authority,
        "doc_number": document.doc_number,
        "date_written": document.date_written,
        "doc_type": document.doc_type,
    }
