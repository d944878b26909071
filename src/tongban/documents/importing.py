"""Importing existing documents (存量公文导入): one file or a batch of .docx, .pdf and .txt.

Each file is stored, read and recognised (``recognition``: 发文字号, 成文日期, title, issuing
authority, 主送机关, type, with a confidence each); a clerk sees what was recognised, corrects it
and registers the document (``register_item``). A broken file is reported with its reason and
the rest of the batch goes on. ``import_files`` is the unattended path (``tongban documents
import``): every readable file is registered as recognised.

Nothing is refused for metadata that was not found: the document is registered with what was
recognised (a file without a title gets its file name as a provisional title) and the missing
or uncertain elements are flagged for review (待核对, ``ImportReview``); the clerks who see the
document complete them later (``complete_review``). The body is the whole text of the file, so
every character is kept and searchable (a 转发 notice with all of the forwarded text). A file
whose content the unit has already (the same file, or the same text in another format) is not
imported twice: it is reported as already imported, with the document it is.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.audit.services import record, record_denied
from tongban.core import files, numbering
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from tongban.core.permissions import Action
from tongban.documents import recognition, selectors, services
from tongban.documents.models import RECOGNISED_LABELS as LABELS
from tongban.documents.models import (
    Document,
    ImportBatch,
    ImportItem,
    ImportReview,
    ImportStatus,
    Origin,
    ReviewReason,
    Stage,
)
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
# The elements a clerk is asked to check when they were not found or not found with certainty.
REVIEWED = ("title", "issuing_authority", "doc_number", "date_written", "doc_type")
REVIEW_BELOW = 0.7  # a confidence below this is "uncertain" (a lone, unconfirmed rule)


def _unit_for(actor: User | None, department_code: str | None) -> Department:
    department = None
    if department_code:
        department = Department.objects.filter(code__iexact=department_code).first()
        if department is None:
            raise NotFound(
                _("Unknown department “%(code)s”.") % {"code": department_code}, field="department"
            )
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


def text_hash(text: str) -> str:
    """SHA-256 of a text without its white space: the same document extracted from a .docx or
    from a .txt, or with other line breaks, has the same hash."""
    return hashlib.sha256(re.sub(r"\s+", "", text or "").encode("utf-8")).hexdigest()


def review_flags(
    recognised: dict[str, Any], corrections: dict[str, Any] | None = None
) -> dict[str, str]:
    """{element: "missing" | "uncertain"} for the elements a clerk should check; an element the
    clerk gave in ``corrections`` is not flagged."""
    flags: dict[str, str] = {}
    for name in REVIEWED:
        if corrections and corrections.get(name) not in (None, "", []):
            continue
        entry = recognised.get(name)
        if not isinstance(entry, dict) or entry.get("value") in (None, "", []):
            flags[name] = ReviewReason.MISSING
        elif float(entry.get("confidence") or 0) < REVIEW_BELOW:
            flags[name] = ReviewReason.UNCERTAIN
    return flags


def recognised_dict(found: recognition.Recognition, text: str | None = None) -> dict[str, Any]:
    """What was recognised, as stored and shown: each field's value, confidence and evidence;
    the body (the whole text of the file when given) and the elements to check (``review``)."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        field = getattr(found, name, None)
        if field is not None:
            out[name] = {
                "value": _plain(field.value),
                "confidence": round(float(field.confidence), 2),
                "evidence": str(field.evidence)[:300],
            }
    out["body"] = text if text is not None else (found.body or "")
    out["review"] = review_flags(out)
    return out


def already_imported(department: Any, sha256: str, hashed: str) -> Document | None:
    """The document of ``department``'s collection with this file or this text, if any."""
    same = Q(source_file__sha256=sha256)
    if hashed:
        same |= Q(text_hash=hashed)
    return (
        Document.objects.filter(same, department=department)
        .exclude(stage=Stage.DISPOSED)
        .order_by("pk")
        .first()
    )


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
        return
    item.text_hash = text_hash(extracted.text)
    item.recognised = recognised_dict(found, extracted.text)
    if extracted.notes:
        item.recognised["notes"] = [str(n) for n in extracted.notes]
    item.error = ""
    existing = already_imported(item.batch.department, item.file.sha256, item.text_hash)
    if existing is not None:
        item.status, item.document = ImportStatus.DUPLICATE, existing
    else:
        item.status = ImportStatus.RECOGNISED


def start_batch(
    actor: User | None,
    uploads: Sequence[tuple[str, bytes | files.Readable]],
    *,
    department: str | None = None,
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
    duplicate: int = 0

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
        duplicate=counts[ImportStatus.DUPLICATE],
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


def provisional_title(filename: str) -> str:
    """The title of a document whose title was not found: its file's name, until a clerk
    completes it (the review flags it)."""
    stem = PurePosixPath(filename or "").stem.strip()
    return (stem or _("Untitled document"))[: services.MAX_TITLE]


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
    authority = str(_value(item, corrections, "issuing_authority") or "")
    # A joint document's organs are its 署名 while its lead is the issuing authority.
    issuers = item.recognised.get("issuers")
    joint = issuers.get("value") if isinstance(issuers, dict) else None
    if not (isinstance(joint, list) and joint and str(joint[0]).strip() == authority.strip()):
        joint = None
    title = str(_value(item, corrections, "title") or "").strip()
    document = services.register_existing(
        actor,
        origin=Origin.IMPORTED,
        department=item.batch.department,
        title=title or provisional_title(item.filename),
        issuing_authority=authority,
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
        signature="、".join(str(n) for n in joint) if isinstance(joint, list) else "",
        text_hash=item.text_hash,
    )
    flags = review_flags(item.recognised, corrections)
    if flags:
        ImportReview.objects.create(
            document=document,
            to_check=flags,
            recognised={
                name: item.recognised[name]
                for name in (*flags, "issuers")
                if isinstance(item.recognised.get(name), dict)
            },
        )
        record("documents.import.review.open", obj=document, after={"fields": sorted(flags)})
    return document


def register_item(actor: User | None, item_id: int, corrections: dict[str, Any]) -> Document:
    """Register one recognised file with the clerk's corrections (登记). Whatever was not found
    or not found with certainty (and not given in ``corrections``) is flagged for review."""
    item = (
        ImportItem.objects.select_related("batch__department", "file")
        .filter(pk=item_id, batch__created_by=actor)
        .first()
    )
    if item is None:
        raise NotFound()
    if item.status == ImportStatus.DUPLICATE:
        raise Conflict(_("This file was imported already."))
    if item.status != ImportStatus.RECOGNISED:
        raise Conflict(_("Only a recognised file that is not yet registered can be registered."))
    services.require_register(actor, Origin.IMPORTED, item.batch.department)
    assert item.file is not None
    with transaction.atomic():
        locked = ImportItem.objects.select_for_update().get(pk=item.pk)
        if locked.status != ImportStatus.RECOGNISED:
            raise Conflict(_("This file was registered already."))
        # Another file of the batch with the same content may have been registered meanwhile.
        existing = already_imported(item.batch.department, item.file.sha256, item.text_hash)
        if existing is not None:
            locked.status, locked.document = ImportStatus.DUPLICATE, existing
            locked.save(update_fields=["status", "document"])
        else:
            document = _register(actor, item, corrections)
            locked.status = ImportStatus.REGISTERED
            locked.document = document
            locked.save(update_fields=["status", "document"])
    if existing is not None:
        raise Conflict(
            _("This document is in the collection already: %(title)s") % {"title": existing.title}
        )
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
    duplicate: bool = False  # the unit had this content already: nothing new was registered
    review: list[str] | None = None  # the elements flagged for review (待核对)


def import_files(
    actor: User | None,
    uploads: Sequence[tuple[str, bytes | files.Readable]],
    *,
    department: str | None = None,
    on_progress: Any = None,
) -> list[FileReport]:
    """Unattended import (the command line): each file stored, recognised and registered as
    recognised; one file's failure is its line in the report, never the end of the run. A file
    the unit has already is reported as such and not registered again.

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
        elif item.status == ImportStatus.DUPLICATE:
            report = _duplicate_report(item)
        else:
            try:
                document = register_item(actor, item.pk, {})
            except ServiceError as exc:
                item.refresh_from_db()
                if item.status == ImportStatus.DUPLICATE:
                    report = _duplicate_report(item)
                else:
                    report = FileReport(item.filename, False, str(exc.message))
            else:
                flags = review_flags(item.recognised)
                report = FileReport(
                    item.filename,
                    True,
                    f"{document.doc_number or '—'} {document.title}",
                    document.pk,
                    review=[str(LABELS.get(f, f)) for f in flags],
                )
        reports.append(report)
        if on_progress is not None:
            on_progress(index, len(items), report)
    return reports


def _duplicate_report(item: ImportItem) -> FileReport:
    document = item.document
    described = f"{document.doc_number or '—'} {document.title}" if document else ""
    return FileReport(
        item.filename,
        True,
        _("already imported: %(document)s") % {"document": described},
        document.pk if document else None,
        duplicate=True,
    )


# --- the review queue (待核对) ------------------------------------------------------------------


@dataclass
class ReviewIn:
    """What a clerk confirms for a document to check: every element, as it should be."""

    title: str = ""
    issuing_authority: str = ""
    doc_number: str = ""
    date_written: str | date | None = None
    doc_type: str = ""


def _checked_number(text: str) -> str:
    text = (text or "").strip()
    if not text:
        return ""
    normal = recognition.normalise_document_number(text)
    if normal is None and not re.fullmatch(r"[\u4e00-\u9fffA-Za-z]{1,20}[0-9]{1,6}号", text):
        raise InvalidInput(
            _("Write the number as the document prints it, e.g. 示政发〔2026〕3号."),
            field="doc_number",
        )
    return normal or text


def complete_review(actor: User, review_id: int, data: ReviewIn) -> Document:
    """Complete an imported document's elements (核对): the clerk confirms title, issuing
    authority, number, date and type; the document is corrected, re-indexed and leaves the
    queue, with an audit entry. Only someone who sees the document (else 404) and may import
    documents for its department (else 403) may; bad input changes nothing."""
    review = selectors.import_review_for(actor, review_id)
    document = review.document
    if not policy.can(actor, Action.IMPORT_DOCUMENTS, document.department):
        record_denied("documents.import.review.complete", obj=document, actor=actor)
        raise Forbidden(
            _("You may not complete imported documents of %(unit)s.")
            % {"unit": document.department.name}
        )
    title = (data.title or "").strip()
    if not title:
        raise InvalidInput(_("This field is required."), field="title")
    if len(title) > services.MAX_TITLE:
        raise InvalidInput(
            _("At most %(n)d characters, this has %(m)d.")
            % {"n": services.MAX_TITLE, "m": len(title)},
            field="title",
        )
    authority = (data.issuing_authority or "").strip()
    if not authority:
        raise InvalidInput(_("This field is required."), field="issuing_authority")
    if len(authority) > 200:
        raise InvalidInput(
            _("At most %(n)d characters, this has %(m)d.") % {"n": 200, "m": len(authority)},
            field="issuing_authority",
        )
    number = _checked_number(data.doc_number)
    written = _date(data.date_written)
    doc_type = data.doc_type or document.doc_type
    if doc_type not in DocumentType.values:
        raise InvalidInput(_("Choose one of the 15 document types."), field="doc_type")
    with transaction.atomic():
        locked = (
            ImportReview.objects.select_for_update().select_related("document").get(pk=review.pk)
        )
        if locked.completed_at is not None:
            raise Conflict(_("This document was completed already."))
        doc = Document.objects.select_for_update().get(pk=locked.document_id)
        before = _elements(doc)
        parsed = numbering.parse_document_number(number) if number else None
        doc.title = title
        doc.issuing_authority = authority
        if doc.signature in ("", before["issuing_authority"]):
            doc.signature = authority
        doc.authority_mark = authority
        doc.issuing_department = Department.objects.filter(name=authority).first()
        doc.doc_number = number
        doc.number_code = parsed[0] if parsed else ""
        doc.number_year = parsed[1] if parsed else None
        doc.date_written = written
        doc.doc_type = doc_type
        doc.updated_at = timezone.now()
        doc.save()
        services.reindex(doc)
        locked.completed_at = timezone.now()
        locked.completed_by = actor
        locked.save(update_fields=["completed_at", "completed_by"])
        record(
            "documents.import.review.complete",
            obj=doc,
            before=before,
            after=_elements(doc),
        )
    return doc


def _elements(document: Document) -> dict[str, Any]:
    return {
        "title": document.title[:200],
        "issuing_authority": document.issuing_authority,
        "doc_number": document.doc_number,
        "date_written": document.date_written.isoformat() if document.date_written else "",
        "doc_type": document.doc_type,
    }
