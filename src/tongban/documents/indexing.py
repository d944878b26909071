"""The documents' full-text index (core.search): title, body, and the rest a person searches by
(attachment text, the document number, the issuing authority, the recipients)."""

from __future__ import annotations

from tongban.core.search import SearchIndex
from tongban.documents.models import Document

INDEX = SearchIndex("documents", columns=("title", "body", "extra"))


def texts(document: Document) -> dict[str, str]:
    attachments = [f"{a.title}\n{a.text}" for a in document.attachments.order_by("order", "id")]
    recipients = [r.name for r in document.recipients.all()]
    extra = "\n".join([document.doc_number, document.issuing_authority, *recipients, *attachments])
    return {"title": document.title, "body": document.body, "extra": extra}


def put(document: Document) -> None:
    """(Re)index one document inside the caller's transaction."""
    INDEX.put(document.pk, **texts(document))


def remove(document_id: int) -> None:
    INDEX.remove(document_id)


def rebuild() -> int:
    """Index every document again (after the vocabulary or the segmentation changed), then
    compact the index. Returns the number of documents indexed."""
    from django.db import transaction

    documents = Document.objects.exclude(stage="disposed").prefetch_related(
        "attachments", "recipients"
    )
    with transaction.atomic():
        INDEX.clear()
        count = INDEX.put_many((d.pk, texts(d)) for d in documents.iterator(chunk_size=500))
    INDEX.optimize()
    return count
