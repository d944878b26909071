"""Official documents (公文): drafts, the outgoing and incoming registers, search, PDFs, sealing,
circulation, import and archiving. Thin: parse → service/selector → schema.

The steps of a document's process are completed through the workflow API
(``POST /api/v1/workflow/tasks/{id}/complete``); ``open_tasks`` and ``my_tasks`` of a document
say which. Each step's own work (the number at sign-off, the official PDF, distribution …)
happens in the documents service, whichever way the step is completed.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from tongban.core.errors import InvalidInput, NotFound
from tongban.core.http import pagination
from tongban.core.http.downloads import download
from tongban.core.permissions import Action
from tongban.documents import (
    importing,
    incoming,
    registers,
    selectors,
    services,
    slips,
)
from tongban.documents.models import ImportReview, ReportRow
from tongban.documents.schemas import (
    ArchiveIn,
    AttachmentOut,
    BatchSealIn,
    CirculateIn,
    CirculationOut,
    CompletedOut,
    DiffOut,
    DocumentOut,
    DocumentPage,
    DraftCreateIn,
    DraftUpdateIn,
    ExternalIn,
    ImportBatchOut,
    ImportCorrectionsIn,
    ImportReviewIn,
    ImportReviewOut,
    ImportReviewPage,
    IncomingOut,
    IncomingPage,
    ReadIn,
    RecipientIn,
    ReturnToSenderIn,
    SealIn,
    SearchOut,
    VersionOut,
)
from tongban.identity.http import ApiRequest
from tongban.org.http import guarded, requires

router = Router(tags=["documents"])
# A document (or an incoming one) that is none of the caller's business is 404 before its body
# is read.
VISIBLE_DOCUMENT = guarded(lambda user, path: selectors.document_for(user, path["document_id"]))
VISIBLE_REVIEW = guarded(lambda user, path: selectors.import_review_for(user, path["review_id"]))
VISIBLE_INCOMING = guarded(lambda user, path: selectors.incoming_for(user, path["item_id"]))
SEARCH_LIMIT = 50


def _recipients(items: list[RecipientIn] | None) -> list[services.RecipientIn] | None:
    if items is None:
        return None
    return [services.RecipientIn(department=r.department, name=r.name) for r in items]


def _draft_in(payload: DraftCreateIn | DraftUpdateIn) -> services.DraftIn:
    return services.DraftIn(
        doc_type=payload.doc_type,
        title=payload.title,
        body=payload.body,
        main_recipients=_recipients(payload.main_recipients),
        cc=_recipients(payload.cc),
        classification=payload.classification,
        secrecy_period=payload.secrecy_period,
        urgency=payload.urgency,
        note=payload.note,
        printer=payload.printer,
        copy_number=payload.copy_number,
        countersign_departments=payload.countersign_departments,
    )


def _detail(request: ApiRequest, document_id: int) -> dict[str, Any]:
    return selectors.detail(request.auth, selectors.document_for(request.auth, document_id))


@router.get("/documents/search", response=SearchOut, summary="Full-text search (best first)")
def search(
    request: ApiRequest,
    q: str,
    doc_type: str = "",
    year: int | None = None,
    issuing: str = "",
    stage: str = "",
    classification: int | None = None,
    offset: int = 0,
    limit: int = 20,
) -> dict:
    if not 1 <= limit <= SEARCH_LIMIT or not 0 <= offset <= 10_000:
        raise InvalidInput(
            _("limit is 1 to %(n)d and offset 0 to 10000.") % {"n": SEARCH_LIMIT}, field="limit"
        )
    if not q.strip():
        raise InvalidInput(_("Give the words to search for."), field="q")
    flt = selectors.DocumentFilter(
        q=q[:200],
        doc_type=doc_type,
        year=year,
        issuing=issuing,
        stage=stage,
        classification=classification,
    )
    results = selectors.documents(request.auth, flt)
    hits = list(results[offset : offset + limit + 1])
    more = len(hits) > limit
    total = selectors.search_total(results)
    items = [
        {
            "id": d.pk,
            "title": d.title,
            "doc_number": d.doc_number,
            "issued_on": d.date_written or (d.issued_at.date() if d.issued_at else None),
            "snippet": str(selectors.snippet(d, q)),
            "doc_type": d.doc_type,
            "issuing_authority": d.issuing_authority,
            "stage": d.stage,
        }
        for d in hits[:limit]
    ]
    return {
        "items": items,
        "next_offset": offset + limit if more else None,
        "total": total.count,
        "total_capped": total.capped,
    }


@router.get("/documents", response=DocumentPage, summary="Documents I may read (newest first)")
def list_documents(
    request: ApiRequest,
    doc_type: str = "",
    year: int | None = None,
    stage: str = "",
    origin: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> dict:
    flt = selectors.DocumentFilter(doc_type=doc_type, year=year, stage=stage, origin=origin)
    qs = selectors.document_list(request.auth, flt)
    items, nxt = pagination.page(qs, cursor=cursor, limit=limit, descending=True)
    return pagination.envelope(items, nxt)


@router.post(
    "/documents",
    auth=requires(Action.DRAFT_DOCUMENTS),
    response={201: DocumentOut},
    summary="Start a draft (拟稿)",
)
def create(request: ApiRequest, payload: DraftCreateIn) -> Status:
    document = services.create_draft(request.auth, _draft_in(payload))
    return Status(201, _detail(request, document.pk))


@router.get("/documents/{int:document_id}", response=DocumentOut, summary="Every element")
def get_document(request: ApiRequest, document_id: int) -> dict:
    return _detail(request, document_id)


@router.patch(
    "/documents/{int:document_id}",
    response=DocumentOut,
    summary="Edit the draft; the countersigning units until 会签 begins",
)
def update(request: ApiRequest, document_id: int, payload: DraftUpdateIn) -> dict:
    selectors.document_for(request.auth, document_id)
    services.update_draft(request.auth, document_id, _draft_in(payload))
    return _detail(request, document_id)


@router.get(
    "/documents/{int:document_id}/versions", response=list[VersionOut], summary="Draft versions"
)
def versions(request: ApiRequest, document_id: int) -> Any:
    document = selectors.document_for(request.auth, document_id)
    return list(document.versions.select_related("saved_by").order_by("number"))


@router.get("/documents/{int:document_id}/diff", response=DiffOut, summary="What changed")
def diff(
    request: ApiRequest, document_id: int, old: int | None = None, new: int | None = None
) -> dict:
    document = selectors.document_for(request.auth, document_id)
    pair = selectors.version_pair(document, old, new)
    if pair is None:
        raise NotFound(_("There is only one version."))
    before, after = pair
    lines = selectors.diff(before, after)
    return {
        "old": before.number,
        "new": after.number,
        "lines": [{"kind": line.kind, "html": str(line.html)} for line in lines],
    }


@router.post(
    "/documents/{int:document_id}/attachments",
    auth=VISIBLE_DOCUMENT,
    response={201: AttachmentOut},
    summary="Add an attachment (附件)",
)
def add_attachment(
    request: ApiRequest,
    document_id: int,
    file: UploadedFile = File(...),  # noqa: B008
    title: str = Form(""),
) -> Status:
    selectors.document_for(request.auth, document_id)
    attachment = services.add_attachment(
        request.auth,
        document_id,
        filename=file.name or "",
        data=bytes(file.read(services.MAX_ATTACHMENT_BYTES + 1)),
        title=title,
    )
    return Status(
        201,
        {
            "id": attachment.pk,
            "order": attachment.order,
            "title": attachment.title,
            "sha256": attachment.file.sha256,
            "size": attachment.file.size,
        },
    )


@router.delete(
    "/documents/{int:document_id}/attachments/{int:attachment_id}",
    response={204: None},
    summary="Remove an attachment",
)
def remove_attachment(request: ApiRequest, document_id: int, attachment_id: int) -> Status:
    selectors.document_for(request.auth, document_id)
    services.remove_attachment(request.auth, document_id, attachment_id)
    return Status(204, None)


@router.post(
    "/documents/{int:document_id}/seal",
    auth=requires(Action.SIGN_WITH_SEAL),
    response=DocumentOut,
    summary="Seal (用印)",
)
def seal(request: ApiRequest, document_id: int, payload: SealIn) -> dict:
    selectors.document_for(request.auth, document_id)
    services.apply_seal(request.auth, document_id, otp=payload.otp, opinion=payload.opinion)
    return _detail(request, document_id)


@router.post(
    "/documents/seal",
    auth=requires(Action.SIGN_WITH_SEAL),
    response=list[DocumentOut],
    summary="Seal a batch (批量用印)",
)
def seal_batch(request: ApiRequest, payload: BatchSealIn) -> list[dict]:
    for document_id in payload.documents:
        selectors.document_for(request.auth, document_id)
    sealed = services.apply_seals(
        request.auth, payload.documents, otp=payload.otp, opinion=payload.opinion
    )
    return [_detail(request, d.pk) for d in sealed]


@router.get("/documents/{int:document_id}/pdf", summary="The document as PDF (sealed when sealed)")
def pdf(request: ApiRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.auth, document_id)
    content, name = services.pdf_of(document)
    return download(content, "application/pdf", name)


@router.get("/documents/{int:document_id}/slip.pdf", summary="The processing slip (处理笺) as PDF")
def slip(request: ApiRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.auth, document_id)
    return download(slips.slip_pdf(document), "application/pdf", f"slip-{document.pk}.pdf")


@router.get(
    "/documents/{int:document_id}/package",
    summary="Export package for outside recipients (ZIP: sealed PDF, attachments, metadata)",
)
def package(request: ApiRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.auth, document_id)
    return download(
        services.export_package(document),
        "application/zip",
        f"{document.doc_number or document.pk}.zip",
    )


@router.post(
    "/documents/{int:document_id}/archive",
    auth=requires(Action.ARCHIVE_RECORDS),
    response=DocumentOut,
    summary="Archive (归档)",
)
def archive(request: ApiRequest, document_id: int, payload: ArchiveIn) -> dict:
    selectors.document_for(request.auth, document_id)
    services.archive_document(request.auth, document_id, retention=payload.retention)
    return _detail(request, document_id)


# --- incoming (收文) ---------------------------------------------------------------------------


def _incoming(item: Any) -> dict:
    return selectors.incoming_detail(item)


@router.get("/documents/incoming", response=IncomingPage, summary="Incoming register (收文)")
def list_incoming(
    request: ApiRequest,
    status: str = "",
    year: int | None = None,
    q: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> dict:
    qs = selectors.incoming_register(request.auth, status=status, year=year, q=q)
    items, nxt = pagination.page(qs, cursor=cursor, limit=limit, descending=True)
    return pagination.envelope([_incoming(i) for i in items], nxt)


@router.post(
    "/documents/incoming",
    auth=requires(Action.RECEIVE_DOCUMENTS),
    response={201: IncomingOut},
    summary="Register a document from outside (外来文) and sign for it",
)
def register_external(request: ApiRequest, payload: ExternalIn) -> Status:
    item = incoming.register_external(
        request.auth,
        incoming.ExternalIn(
            title=payload.title,
            issuing_authority=payload.issuing_authority,
            doc_number=payload.doc_number,
            doc_type=payload.doc_type,
            date_written=payload.date_written,
            classification=payload.classification,
            urgency=payload.urgency,
            body=payload.body,
            main_recipients=payload.main_recipients,
        ),
    )
    return Status(201, _incoming(selectors.incoming_for(request.auth, item.pk)))


@router.get(
    "/documents/incoming/{int:item_id}", response=IncomingOut, summary="One incoming document"
)
def get_incoming(request: ApiRequest, item_id: int) -> dict:
    return _incoming(selectors.incoming_for(request.auth, item_id))


@router.post(
    "/documents/incoming/{int:item_id}/receive", response=IncomingOut, summary="Sign for it (签收)"
)
def receive(request: ApiRequest, item_id: int) -> dict:
    selectors.incoming_for(request.auth, item_id)
    incoming.receive(request.auth, item_id)
    return _incoming(selectors.incoming_for(request.auth, item_id))


@router.post(
    "/documents/incoming/{int:item_id}/return",
    auth=VISIBLE_INCOMING,
    response=IncomingOut,
    summary="Return to the sender (初审 failed)",
)
def return_to_sender(request: ApiRequest, item_id: int, payload: ReturnToSenderIn) -> dict:
    selectors.incoming_for(request.auth, item_id)
    incoming.return_to_sender(request.auth, item_id, reason=payload.reason)
    return _incoming(selectors.incoming_for(request.auth, item_id))


@router.post(
    "/documents/incoming/{int:item_id}/circulate",
    auth=VISIBLE_INCOMING,
    response={201: list[CirculationOut]},
    summary="Circulate for reading (传阅)",
)
def circulate(request: ApiRequest, item_id: int, payload: CirculateIn) -> Status:
    selectors.incoming_for(request.auth, item_id)
    circulated = incoming.circulate(
        request.auth,
        item_id,
        usernames=payload.readers,
        departments=payload.departments,
        note=payload.note,
    )
    return Status(201, circulated.created)


@router.post(
    "/documents/incoming/{int:item_id}/archive",
    auth=requires(Action.ARCHIVE_RECORDS),
    response=IncomingOut,
    summary="Archive (归档)",
)
def archive_incoming(request: ApiRequest, item_id: int, payload: ArchiveIn) -> dict:
    selectors.incoming_for(request.auth, item_id)
    incoming.archive_incoming(request.auth, item_id, retention=payload.retention)
    return _incoming(selectors.incoming_for(request.auth, item_id))


@router.get(
    "/documents/circulations", response=list[CirculationOut], summary="Passed to me to read (待阅)"
)
def to_read(request: ApiRequest) -> Any:
    return list(selectors.to_read(request.auth)[:200])


@router.post(
    "/documents/circulations/{int:circulation_id}/read",
    response=CirculationOut,
    summary="Confirm reading (read receipt)",
)
def confirm_read(request: ApiRequest, circulation_id: int, payload: ReadIn | None = None) -> Any:
    return incoming.confirm_read(
        request.auth, circulation_id, comment=payload.comment if payload else ""
    )


# --- registers ------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/documents/registers/outgoing.xlsx", summary="发文登记簿 (XLSX)")
def outgoing_register(
    request: ApiRequest, year: int | None = None, issuing: str = ""
) -> HttpResponse:
    qs = selectors.outgoing_register(request.auth, year=year, issuing=issuing)
    return download(
        registers.outgoing_xlsx(qs.prefetch_related("recipients")), XLSX, "发文登记簿.xlsx"
    )


@router.get("/documents/registers/incoming.xlsx", summary="收文登记簿 (XLSX)")
def incoming_register(
    request: ApiRequest, year: int | None = None, status: str = ""
) -> HttpResponse:
    qs = selectors.incoming_register(request.auth, year=year, status=status)
    return download(
        registers.incoming_xlsx(qs.prefetch_related("co_departments")), XLSX, "收文登记簿.xlsx"
    )


# --- import ---------------------------------------------------------------------------------


def _batch(batch: Any) -> dict:
    done = importing.progress(batch)
    return {
        "id": batch.pk,
        "total": done.total,
        "waiting": done.waiting,
        "recognised": done.recognised,
        "failed": done.failed,
        "registered": done.registered,
        "percent": done.percent,
        "items": list(batch.items.order_by("order", "id")),
    }


@router.post(
    "/documents/imports",
    auth=requires(Action.IMPORT_DOCUMENTS),
    response={201: ImportBatchOut},
    summary="Import existing documents: upload files (docx, pdf, txt)",
)
def start_import(
    request: ApiRequest,
    files: list[UploadedFile] = File(...),  # noqa: B008
) -> Status:
    uploads: list[tuple[str, Any]] = [(f.name or "", f) for f in files[: importing.MAX_FILES + 1]]
    batch = importing.start_batch(request.auth, uploads)
    return Status(201, _batch(batch))


@router.get("/documents/imports/{int:batch_id}", response=ImportBatchOut, summary="A batch")
def get_import(request: ApiRequest, batch_id: int) -> dict:
    return _batch(importing.batch_of(request.auth, batch_id))


@router.post(
    "/documents/imports/{int:batch_id}/process",
    response=ImportBatchOut,
    summary="Recognise the next files of a batch",
)
def process_import(request: ApiRequest, batch_id: int, limit: int = 10) -> dict:
    return _batch(importing.process_next(request.auth, batch_id, limit=max(1, min(limit, 50))))


@router.post(
    "/documents/imports/items/{int:item_id}/register",
    response={201: DocumentOut},
    summary="Register one recognised file, with corrections",
)
def register_import(request: ApiRequest, item_id: int, payload: ImportCorrectionsIn) -> Status:
    corrections = payload.dict(exclude_none=True)
    document = importing.register_item(request.auth, item_id, corrections)
    return Status(201, _detail(request, document.pk))


@router.post(
    "/documents/imports/items/{int:item_id}/discard", response={204: None}, summary="Discard a file"
)
def discard_import(request: ApiRequest, item_id: int) -> Status:
    importing.discard_item(request.auth, item_id)
    return Status(204, None)


# --- the review queue of imported documents (待核对) ---------------------------------------


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
    auth=VISIBLE_REVIEW,
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
