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
