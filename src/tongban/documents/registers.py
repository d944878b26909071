"""The registers (登记簿) as XLSX workbooks: outgoing (发文登记簿) and incoming (收文登记簿)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tongban.core.tabular import append_xlsx_row
from tongban.documents.models import Document, IncomingItem, RecipientKind
from tongban.documents.types import CLASSIFICATION_MARKS

OUTGOING_COLUMNS = [
    ("序号", 6),
    ("发文字号", 20),
    ("标题", 48),
    ("文种", 6),
    ("密级", 6),
    ("紧急程度", 8),
    ("签发人", 10),
    ("签发日期", 12),
    ("主送机关", 30),
    ("抄送机关", 30),
    ("份数", 6),
    ("拟稿单位", 20),
    ("拟稿人", 10),
    ("状态", 8),
]

INCOMING_COLUMNS = [
    ("序号", 6),
    ("收文编号", 16),
    ("签收时间", 17),
    ("来文机关", 24),
    ("来文字号", 20),
    ("标题", 48),
    ("密级", 6),
    ("紧急程度", 8),
    ("份数", 6),
    ("主办", 18),
    ("协办", 24),
    ("办理时限", 12),
    ("状态", 10),
    ("办结日期", 12),
]


def _book(title: str, columns: list[tuple[str, int]], rows: Iterable[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    append_xlsx_row(sheet, [name for name, _w in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for index, (_name, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in rows:
        # Titles, authorities and names come from people: no formula injection (core.tabular).
        append_xlsx_row(sheet, row)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _day(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def outgoing_xlsx(documents: Iterable[Document]) -> bytes:
    def rows() -> Iterable[list[object]]:
        for n, d in enumerate(documents, start=1):
            recipients = list(d.recipients.all())
            yield [
                n,
                d.doc_number,
                d.title,
                d.doc_type,
                CLASSIFICATION_MARKS.get(d.classification, ""),
                d.urgency,
                "、".join(d.signers),
                _day(d.signed_at.date() if d.signed_at else None),
                "，".join(r.name for r in recipients if r.kind == RecipientKind.MAIN),
                "，".join(r.name for r in recipients if r.kind == RecipientKind.COPY),
                d.copies or "",
                d.department.name,
                d.drafter.display_name if d.drafter else "",
                d.get_stage_display(),
            ]

    return _book("发文登记簿", OUTGOING_COLUMNS, rows())


def incoming_xlsx(items: Iterable[IncomingItem]) -> bytes:
    def rows() -> Iterable[list[object]]:
        for n, item in enumerate(items, start=1):
            d = item.document
            yield [
                n,
                item.receipt_number,
                _day(item.received_at),
                d.issuing_authority,
                d.doc_number,
                d.title,
                CLASSIFICATION_MARKS.get(d.classification, ""),
                d.urgency,
                item.copies_received,
                item.host_department.name if item.host_department else "",
                "、".join(c.name for c in item.co_departments.all()),
                _day(item.due_on),
                item.get_status_display(),
                _day(item.completed_at),
            ]

    return _book("收文登记簿", INCOMING_COLUMNS, rows())
