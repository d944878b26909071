"""Schemas of the documents API (公文). Shape only; the services check meaning."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from tongban.documents.types import CLASSIFICATION_MARKS


class RecipientIn(Schema):
    department: str = Field(default="", max_length=32, description="a platform department code")
    name: str = Field(default="", max_length=200, description="or an outside organ's name")


class DraftCreateIn(Schema):
    doc_type: str = Field(default="通知", max_length=4, description="one of the 15 types")
    title: str = Field(max_length=300)
    body: str = Field(default="", max_length=200_000)
    main_recipients: list[RecipientIn] = []
    cc: list[RecipientIn] = []
    classification: int = 0
    secrecy_period: str = Field(default="", max_length=20)
    urgency: str = Field(default="", max_length=4)
    note: str = Field(default="", max_length=300)
    printer: str = Field(default="", max_length=200)
    copy_number: str = Field(default="", max_length=6, description="份号, up to 6 digits")
    countersign_departments: list[str] = Field(default=[], description="bureau/district codes")


class DraftUpdateIn(Schema):
    doc_type: str | None = Field(default=None, max_length=4)
    title: str | None = Field(default=None, max_length=300)
    body: str | None = Field(default=None, max_length=200_000)
    main_recipients: list[RecipientIn] | None = None
    cc: list[RecipientIn] | None = None
    classification: int | None = None
    secrecy_period: str | None = Field(default=None, max_length=20)
    urgency: str | None = Field(default=None, max_length=4)
    note: str | None = Field(default=None, max_length=300)
    printer: str | None = Field(default=None, max_length=200)
    copy_number: str | None = Field(default=None, max_length=6)
    countersign_departments: list[str] | None = Field(
        default=None,
        max_length=30,
        description="bureau/district codes (会签单位); they change until the countersign begins",
    )


class RecipientOut(Schema):
    department: str
    name: str


class AttachmentOut(Schema):
    id: int
    order: int
    title: str
    sha256: str
    size: int


class OpenTaskOut(Schema):
    id: int
    step: str
    name: str
    assignee: str | None
    candidates: str
    due_on: date | None


class DocumentOut(Schema):
    """Every element of GB/T 9704-2012, and where the document is."""

    id: int
    origin: str
    stage: str
    doc_type: str
    copy_number: str
    classification: str
    classification_level: int
    secrecy_period: str
    urgency: str
    authority_mark: str
    issuing_authority: str
    issuing_department: str
    doc_number: str
    signers: list[str]
    title: str
    main_recipients: list[RecipientOut]
    body: str
    attachments: list[AttachmentOut]
    signature: str
    date_written: date | None
    sealed: bool
    note: str
    cc: list[RecipientOut]
    printer: str
    print_date: date | None
    copies: int
    issued_on: date | None
    department: str
    drafter: str
    version: int
    instance_id: int | None
    record_code: str
    countersign_departments: list[str] = Field(description="the units chosen to countersign")
    open_tasks: list[OpenTaskOut]
    my_tasks: list[int] = Field(description="ids of the open tasks the caller may complete")


class DocumentListItem(Schema):
    id: int
    title: str
    doc_type: str
    doc_number: str
    stage: str
    origin: str
    classification: str
    urgency: str
    issuing_authority: str
    issued_on: date | None
    created_at: datetime

    @staticmethod
    def resolve_classification(obj: Any) -> str:
        return CLASSIFICATION_MARKS.get(obj.classification, "")

    @staticmethod
    def resolve_issued_on(obj: Any) -> date | None:
        return obj.date_written or (obj.issued_at.date() if obj.issued_at else None)


class DocumentPage(Schema):
    items: list[DocumentListItem]
    next_cursor: str | None


class SearchHit(Schema):
    id: int
    title: str
    doc_number: str
    issued_on: date | None
    snippet: str
    doc_type: str
    issuing_authority: str
    stage: str


class SearchOut(Schema):
    items: list[SearchHit]
    next_offset: int | None
    total: int  # documents found that the caller may read (at most 1000: see total_capped)
    total_capped: bool  # more than ``total`` match; counting stopped there


class VersionOut(Schema):
    number: int
    title: str
    saved_by: str
    saved_at: datetime
    step: str

    @staticmethod
    def resolve_saved_by(obj: Any) -> str:
        return obj.saved_by.display_name if obj.saved_by else ""


class DiffLineOut(Schema):
    kind: str
    html: str


class DiffOut(Schema):
    old: int
    new: int
    lines: list[DiffLineOut]


class SealIn(Schema):
    otp: str = Field(max_length=10)
    opinion: str = Field(default="", max_length=2000)


class BatchSealIn(Schema):
    documents: list[int] = Field(max_length=200)
    otp: str = Field(max_length=10)
    opinion: str = Field(default="", max_length=2000)


class ArchiveIn(Schema):
    retention: str = Field(max_length=3, description="Y (永久), D30 or D10")


class IncomingOut(Schema):
    id: int
    document_id: int
    title: str
    doc_number: str
    issuing_authority: str
    unit: str
    kind: str
    status: str
    arrived_at: datetime
    received_by: str
    received_at: datetime | None
    receipt_number: str
    copies_received: int
    proposal: str
    for_handling: bool
    instruction: str
    host_department: str
    co_departments: list[str]
    due_on: date | None
    deadline: str = Field(description='"red" (passed), "yellow" (≤ 2 working days left) or ""')
    completed_at: datetime | None
    result: str
    instance_id: int | None
    record_code: str


class IncomingPage(Schema):
    items: list[IncomingOut]
    next_cursor: str | None


class ExternalIn(Schema):
    title: str = Field(max_length=300)
    issuing_authority: str = Field(max_length=200)
    doc_number: str = Field(default="", max_length=100)
    doc_type: str = Field(default="通知", max_length=4)
    date_written: date | None = None
    classification: int = 0
    urgency: str = Field(default="", max_length=4)
    body: str = Field(default="", max_length=200_000)
    main_recipients: list[str] = []


class ReturnToSenderIn(Schema):
    reason: str = Field(max_length=300)


class CirculateIn(Schema):
    readers: list[str] = Field(
        default=[], max_length=100, description="colleagues: login names (or a name only one has)"
    )
    departments: list[str] = Field(
        default=[],
        max_length=20,
        description="department codes: everyone in each (its active staff, not administrators); "
        "those without the clearance are left out",
    )
    note: str = Field(default="", max_length=300)


class ReadIn(Schema):
    comment: str = Field(default="", max_length=500)


class CirculationOut(Schema):
    id: int
    item_id: int
    document_id: int
    title: str
    reader: str
    sent_by: str
    sent_at: datetime
    note: str
    read_at: datetime | None
    comment: str

    @staticmethod
    def resolve_document_id(obj: Any) -> int:
        return obj.item.document_id

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return obj.item.document.title

    @staticmethod
    def resolve_reader(obj: Any) -> str:
        return obj.reader.username

    @staticmethod
    def resolve_sent_by(obj: Any) -> str:
        return obj.sent_by.username


class ImportItemOut(Schema):
    id: int
    filename: str
    status: str
    error: str
    recognised: dict[str, Any]
    document_id: int | None


class ImportBatchOut(Schema):
    id: int
    total: int
    waiting: int
    recognised: int
    failed: int
    registered: int
    percent: int
    items: list[ImportItemOut]


class ImportCorrectionsIn(Schema):
    title: str | None = Field(default=None, max_length=300)
    issuing_authority: str | None = Field(default=None, max_length=200)
    doc_number: str | None = Field(default=None, max_length=100)
    doc_type: str | None = Field(default=None, max_length=4)
    date_written: date | None = None
    main_recipients: list[str] | None = None
    classification: int | None = None
    urgency: str | None = Field(default=None, max_length=4)
    body: str | None = Field(default=None, max_length=200_000)


# --- the review queue of imported documents (待核对) ---


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
