"""Importing existing documents (存量公文导入): one file or a batch of .docx, .pdf and .txt.

Each file is stored, read and recognised (``recognition``: 发文字号, 成文日期, title, issuing
authority, 主送机关, type, with a confidence each); a clerk sees what was recognised, corrects it
and registers the document (``register_item``). A broken file is reported with its reason and
the rest of the batch goes on. ``import_files`` is the unattended path (``tongban documents
import``): every readable file with a title and an issuing authority is registered as recognised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.audit.services import record, record_denied
from tongban.core import files
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from tongban.core.permissions import Action
from tongban.documents import recognition, services
from tongban.documents.models import Document, ImportBatch, ImportItem, ImportStatus, Origin
from tongban.documents.types import DocumentType
from tongban.identity.models import User
from tongban.org import policy
from tongban.org.models import Department

MAX_FILES = 500
MAX_FILE_BYTES = 20 * 1024 * 1024
SUFFIXES = (".docx", ".pdf", ".txt")
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
}
FIELDS = (
    "doc_number",
    "date_written",
    "title",
    "issuing_authority",
    "issuers",
    "main_recipients",
    "doc_type",
    "classification",
    "urgency",
    "attachments",
)


def _unit_for(actor: User | None, department: Department | None) -> Department:
    if actor is None:  # the operator at the command line names the unit
        if department is None:
            raise InvalidInput(_("Name the department to import into."), field="department")
        return department
    department = department or services.staff_department(actor)
    if not policy.can(actor, Action.IMPORT_DOCUMENTS, department):
        record_denied("documents.import", obj=department, actor=actor)
        raise Forbidden(_("You may not import documents for %(unit)s.") % {"unit": department.name})
    return department


def _authorities() -> list[tuple[str, str]]:
    return list(Department.objects.filter(is_active=True).values_list("name", "issuing_code"))


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def recognised_dict(found: recognition.Recognition) -> dict[str, Any]:
    """What was recognised, as stored and shown: each field's value, confidence and evidence."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        field = getattr(found, name, None)
        if field is not None:
            out[name] = {
                "value": _plain(field.value),
                "confidence": round(float(field.confidence), 2),
                "evidence": str(field.evidence)[:300],
            }
    out["body"] = (found.body or "")[: services.MAX_BODY]
    return out


def _recognise(item: ImportItem) -> None:
    """Read and recognise one stored file; a failure is the item's report, not an error."""
    assert item.file is not None
    with files.open_file(item.file.sha256) as handle:
        data = handle.read()
    try:
        extracted = recognition.extract_text(item.filename, data)
        found = recognition.recognise(extracted.text, authorities=_authorities())
    except recognition.UnreadableFile as exc:
        item.status = ImportStatus.FAILED
        item.error = str(exc)[:500]
    else:
        item.status = ImportStatus.RECOGNISED
        item.recognised = recognised_dict(found)
        item.error = ""


def start_batch(
    actor: User | None,
    uploads: Sequence[tuple[str, bytes | files.Readable]],
    *,
    department: Department | None = None,
) -> ImportBatch:
    """Store the files of a batch; recognition follows file by file (``process_next``). A file
    is bytes or something to read from (an upload): one file at a time is in memory."""
    unit = _unit_for(actor, department)
    if not uploads:
        raise InvalidInput(_("Choose at least one file."), field="files")
    if len(uploads) > MAX_FILES:
        raise InvalidInput(_("At most %(n)d files at a time.") % {"n": MAX_FILES}, field="files")
    with transaction.atomic():
        batch = ImportBatch.objects.create(created_by=actor, department=unit)
        for order, (name, source) in enumerate(uploads):
            name = (name or "").replace("\\", "/").rsplit("/", 1)[-1][:255] or "unnamed"
            data = source if isinstance(source, bytes) else source.read(MAX_FILE_BYTES + 1)
            item = ImportItem(batch=batch, filename=name, order=order)
            if not data:
                item.status, item.error = ImportStatus.FAILED, _("The file is empty.")
            elif len(data) > MAX_FILE_BYTES:
                item.status, item.error = ImportStatus.FAILED, _("The file is larger than 20 MB.")
            elif not name.lower().endswith(SUFFIXES):
                item.status = ImportStatus.FAILED
                item.error = _("Only .docx, .pdf and .txt files can be imported.")
            else:
                suffix = "." + name.lower().rsplit(".", 1)[-1]
                item.file = files.store_bytes(
                    data, name=name, content_type=CONTENT_TYPES.get(suffix, "")
                )
            item.save()
        record(
            "documents.import.start",
            obj=batch,
            after={"files": len(uploads), "unit": unit.code},
        )
    return batch


def batch_of(actor: User | None, batch_id: int) -> ImportBatch:
    batch = ImportBatch.objects.filter(pk=batch_id, created_by=actor).first()
    if batch is None:
        raise NotFound()
    return batch


def process_next(actor: User | None, batch_id: int, *, limit: int = 3) -> ImportBatch:
    """Recognise the next few waiting files of the actor's batch (the page polls this, so a big
    batch shows its progress)."""
    batch = batch_of(actor, batch_id)
    for item in batch.items.filter(status=ImportStatus.PENDING).order_by("order", "id")[:limit]:
        with transaction.atomic():
            locked = ImportItem.objects.select_for_update().get(pk=item.pk)
            if locked.status != ImportStatus.PENDING:
                continue
            _recognise(locked)
            locked.save()
    return batch


@dataclass
class Progress:
    total: int
    waiting: int
    recognised: int
    failed: int
    registered: int
    discarded: int

    @property
    def done(self) -> int:
        return self.total - self.waiting

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def progress(batch: ImportBatch) -> Progress:
    counts = {s: 0 for s in ImportStatus.values}
    for status in batch.items.values_list("status", flat=True):
        counts[status] += 1
    return Progress(
        total=sum(counts.values()),
        waiting=counts[ImportStatus.PENDING],
        recognised=counts[ImportStatus.RECOGNISED],
        failed=counts[ImportStatus.FAILED],
        registered=counts[ImportStatus.REGISTERED],
        discarded=counts[ImportStatus.DISCARDED],
    )


def _value(item: ImportItem, corrections: dict[str, Any], name: str) -> Any:
    if name in corrections:
        return corrections[name]
    entry = item.recognised.get(name)
    return entry.get("value") if isinstance(entry, dict) else None


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(_("A date is written 2026-12-02."), field="date_written") from None


def _register(actor: User | None, item: ImportItem, corrections: dict[str, Any]) -> Document:
    assert item.file is not None
    with files.open_file(item.file.sha256) as handle:
        content = handle.read()
    recipients = _value(item, corrections, "main_recipients") or []
    if isinstance(recipients, str):
        recipients = [r.strip() for r in recipients.replace("、", "，").split("，") if r.strip()]
    classification = _value(item, corrections, "classification")
    level = {"秘密": 2, "机密": 3, "绝密": 4}.get(str(classification or "").split("★")[0], 0)
    if isinstance(classification, int):
        level = classification
    doc_type = _value(item, corrections, "doc_type") or DocumentType.NOTICE
    return services.register_existing(
        actor,
        origin=Origin.IMPORTED,
        department=item.batch.department,
        title=str(_value(item, corrections, "title") or ""),
        issuing_authority=str(_value(item, corrections, "issuing_authority") or ""),
        doc_number=str(_value(item, corrections, "doc_number") or ""),
        doc_type=str(doc_type),
        date_written=_date(_value(item, corrections, "date_written")),
        classification=level,
        urgency=str(_value(item, corrections, "urgency") or ""),
        body=str(corrections.get("body", item.recognised.get("body", "")) or ""),
        main_recipients=[str(r) for r in recipients][:50],
        filename=item.filename,
        content=content,
        content_type=item.file.content_type,
    )


def register_item(actor: User | None, item_id: int, corrections: dict[str, Any]) -> Document:
    """Register one recognised file with the clerk's corrections (登记)."""
    item = (
        ImportItem.objects.select_related("batch__department", "file")
        .filter(pk=item_id, batch__created_by=actor)
        .first()
    )
    if item is None:
        raise NotFound()
    if item.status != ImportStatus.RECOGNISED:
        raise Conflict(_("Only a recognised file that is not yet registered can be registered."))
    services.require_register(actor, Origin.IMPORTED, item.batch.department)
    with transaction.atomic():
        locked = ImportItem.objects.select_for_update().get(pk=item.pk)
        if locked.status != ImportStatus.RECOGNISED:
            raise Conflict(_("This file was registered already."))
        document = _register(actor, item, corrections)
        locked.status = ImportStatus.REGISTERED
        locked.document = document
        locked.save(update_fields=["status", "document"])
    return document


def discard_item(actor: User, item_id: int) -> None:
    with transaction.atomic():
        item = (
            ImportItem.objects.select_for_update()
            .filter(pk=item_id, batch__created_by=actor)
            .first()
        )
        if item is None:
            raise NotFound()
        if item.status == ImportStatus.REGISTERED:
            raise Conflict(_("A registered document is not discarded here."))
        item.status = ImportStatus.DISCARDED
        item.save(update_fields=["status"])
        record("documents.import.discard", obj=item.batch, after={"file": item.filename})


@dataclass
class FileReport:
    name: str
    ok: bool
    message: str
    document_id: int | None = None


def import_files(
    actor: User | None,
    uploads: Sequence[tuple[str, bytes | files.Readable]],
    *,
    department: Department | None = None,
    on_progress: Any = None,
) -> list[FileReport]:
    """Unattended import (the command line): each file stored, recognised and registered as
    recognised; one file's failure is its line in the report, never the end of the run.

    ``actor`` None is the installation's operator at the command line (``tongban documents
    import`` without ``--user``): like ``migrate`` or ``demo``, shell access to the server is
    the authority; the audit trail records the run with source ``cli``.
    """
    batch = start_batch(actor, uploads, department=department)
    reports = []
    items = list(batch.items.order_by("order", "id"))
    for index, item in enumerate(items, start=1):
        if item.status == ImportStatus.PENDING:
            process_next(actor, batch.pk, limit=1)
            item.refresh_from_db()
        report: FileReport
        if item.status == ImportStatus.FAILED:
            report = FileReport(item.filename, False, item.error)
        else:
            try:
                document = register_item(actor, item.pk, {})
            except ServiceError as exc:
                report = FileReport(item.filename, False, _missing_message(exc))
            else:
                report = FileReport(
                    item.filename,
                    True,
                    f"{document.doc_number or '—'} {document.title}",
                    document.pk,
                )
        reports.append(report)
        if on_progress is not None:
            on_progress(index, len(items), report)
    return reports


def _missing_message(exc: ServiceError) -> str:
    names = {"title": _("no title recognised"), "issuing_authority": _("no issuing authority")}
    fields = list(exc.errors)
    if fields and all(f in names for f in fields):
        return "; ".join(str(names[f]) for f in fields)
    return str(exc.message)
