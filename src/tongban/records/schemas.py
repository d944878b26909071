"""Schemas of the records API (档案). Field constraints here only check shape; the services check
meaning (which retention, whose record, which state)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from tongban.org.schemas import DepartmentRef


class FondsRef(Schema):
    code: str
    name: str


class FondsOut(Schema):
    id: int
    code: str
    name: str
    department: DepartmentRef


class FondsIn(Schema):
    code: str = Field(max_length=16, description="全宗号, e.g. J012 (capital letters, digits).")
    name: str = Field(default="", max_length=100)


class RecordFileOut(Schema):
    id: int
    name: str
    role: str = Field(description="main | attachment | draft | processing_slip | other")
    size: int
    sha256: str
    content_type: str
    available: bool = Field(description="False once the record was disposed of.")
    fixity_ok: bool | None
    checked_at: dt.datetime | None

    @staticmethod
    def resolve_available(obj: Any) -> bool:
        return obj.stored_id is not None


class RecordOut(Schema):
    id: int
    archival_code: str = Field(description="档号, DA/T 22-2015, e.g. F001-WS·2026-Y-BGT-0001")
    fonds: FondsRef
    category_code: str
    year: int
    retention: str = Field(description="Y | D30 | D10")
    organisation_code: str
    item_number: int
    doc_number: str
    responsible: str
    title: str
    date: dt.date
    classification: int
    pages: int | None
    remarks: str
    source_type: str
    source_id: str
    department: DepartmentRef
    status: str = Field(description="archived | disposal_proposed | disposed | retained")
    expires_on: dt.date | None = Field(
        description="Due for appraisal from this day (none: permanent)"
    )
    archived_by: str
    archived_at: dt.datetime
    disposed_at: dt.datetime | None
    metadata: dict[str, Any]
    files: list[RecordFileOut]

    @staticmethod
    def resolve_archived_by(obj: Any) -> str:
        return str(obj.archived_by.username)

    @staticmethod
    def resolve_files(obj: Any) -> list[Any]:
        return list(obj.files.all())


class RecordPage(Schema):
    items: list[RecordOut]
    next_cursor: str | None


class KeepIn(Schema):
    retention: str = Field(max_length=3, description="The new, longer retention: D30 or Y.")
    reason: str = Field(max_length=2000)


class ProposalIn(Schema):
    reason: str = Field(max_length=2000)


class ApprovalIn(Schema):
    note: str = Field(default="", max_length=2000)


class RejectionIn(Schema):
    reason: str = Field(max_length=2000)


class AppraisalOut(Schema):
    id: int
    record_id: int
    archival_code: str
    title: str
    kind: str = Field(description="keep | dispose")
    state: str = Field(description="pending | approved | rejected")
    reason: str
    retention_before: str
    retention_after: str
    appraised_by: str
    appraised_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str

    @staticmethod
    def resolve_archival_code(obj: Any) -> str:
        return str(obj.record.archival_code)

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj.record.title)

    @staticmethod
    def resolve_appraised_by(obj: Any) -> str:
        return str(obj.appraised_by.username)

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return obj.decided_by.username if obj.decided_by_id else None


class DisposalLineOut(Schema):
    archival_code: str
    title: str
    year: int
    retention: str
    proposed_by: str
    proposed_at: str
    reason: str
    approved_by: str
    approved_at: str
    note: str
    files: list[dict[str, Any]]


class FixityOut(Schema):
    id: int
    name: str
    role: str
    sha256: str
    size: int
    status: str = Field(description="ok | changed | missing | unusable | disposed")
    problem: str


class FileCheckOut(Schema):
    path: str
    status: str = Field(description="ok | changed | missing | extra | unsafe | unusable")
    size: int | None
    expected_sha256: str
    actual_sha256: str
    problems: list[str]


class PackageRecordOut(Schema):
    archival_code: str
    title: str
    year: Any = None
    retention: Any = None
    platform: str = Field(description="match | differs | disposed | unknown")


class PackageReportOut(Schema):
    ok: bool
    authenticity: bool
    integrity: bool
    usability: bool
    security: bool
    sha256: str
    name: str
    files: list[FileCheckOut]
    problems: list[str]
    records: list[PackageRecordOut]
