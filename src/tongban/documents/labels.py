"""What the documents app's audited actions and objects are called (core.labels), and how the
elements kept with an archived document read on its record's page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from tongban.core import labels
from tongban.core.permissions import Classification
from tongban.documents.models import Origin, Stage
from tongban.documents.types import DocumentType, Urgency

ACTIONS = {
    "documents.document.create": _("Draft a document"),
    "documents.document.update": _("Edit a draft"),
    "documents.attachment.add": _("Add an attachment"),
    "documents.attachment.remove": _("Remove an attachment"),
    "documents.document.step": _("Work a step of an outgoing document"),
    "documents.document.sign_off": _("Sign off a document"),
    "documents.document.seal": _("Seal a document"),
    "documents.document.distribute": _("Distribute a document"),
    "documents.document.archive": _("Archive a document"),
    "documents.document.register_received": _("Register a document received from outside"),
    "documents.document.register_imported": _("Register an imported document"),
    "documents.import.start": _("Start an import"),
    "documents.import.discard": _("Discard an imported file"),
    "documents.import.review.open": _("Put an imported document up for checking"),
    "documents.import.review.complete": _("Complete an imported document's elements"),
    "documents.incoming.arrive": _("An incoming document arrives"),
    "documents.incoming.receive": _("Sign for an incoming document"),
    "documents.incoming.return": _("Return an incoming document to its sender"),
    "documents.incoming.register_external": _("Register a document from outside"),
    "documents.incoming.step": _("Work a step of an incoming document"),
    "documents.incoming.circulate": _("Circulate an incoming document"),
    "documents.incoming.read": _("Confirm reading a circulated document"),
    "documents.incoming.archive": _("Archive an incoming document"),
}

OBJECT_TYPES = {
    "documents.document": _("Official document"),
    "documents.outgoing": _("Outgoing document"),
    "documents.incoming": _("Incoming document"),
    "documents.incomingitem": _("Incoming document"),
    "documents.attachment": _("Attachment"),
    "documents.circulation": _("Circulation"),
    "documents.importbatch": _("Import batch"),
    "documents.importitem": _("Imported file"),
    "documents.importreview": _("Imported document to check"),
}

# The elements kept with an archived document (services.elements), in the order of GB/T 9704,
# as its record's page shows them. What only programs read (ids, the process, the body, which is
# the PDF itself) is left out.
ELEMENTS = {
    "copy_number": _("Copy number"),
    "classification": _("Classification"),
    "secrecy_period": _("Secrecy period"),
    "urgency": _("Urgency"),
    "authority_mark": _("Issuing-authority mark"),
    "doc_number": _("Document number"),
    "signers": _("Signed off by"),
    "title": _("Title"),
    "main_recipients": _("Main recipients"),
    "attachments": _("Attachments"),
    "signature": _("Signature (issuing authority)"),
    "date_written": _("Date written"),
    "note": _("Note"),
    "cc": _("Copied to"),
    "printer": _("Printed by"),
    "print_date": _("Printed on"),
    "copies": _("Copies"),
    "doc_type": _("Type"),
    "origin": _("Origin"),
    "stage": _("Stage"),
    "issuing_authority": _("Issuing authority"),
    "issuing_department": _("Issuing department"),
    "department": _("Department"),
    "drafter": _("Drafter"),
    "issued_on": _("Issued on"),
    "sealed": _("Sealed"),
    "receipt_number": _("Receipt number"),
    "received_at": _("Signed for"),
    "host_department": _("Handled by"),
    "result": _("Result"),
}

_CHOICES: dict[str, Any] = {
    "origin": Origin,
    "stage": Stage,
    "doc_type": DocumentType,
    "urgency": Urgency,
}


def _value(key: str, value: Any) -> str:
    choices = _CHOICES.get(key)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    if key == "classification" and value == "":
        return str(Classification.PUBLIC.label)
    if key == "attachments" and isinstance(value, list):
        return labels.display([a.get("title", "") if isinstance(a, dict) else a for a in value])
    if key == "received_at" and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    return labels.display(value)


def describe_elements(fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The elements of an archived document as label and text, in the order of ELEMENTS."""
    return [
        (str(label), _value(key, fields[key])) for key, label in ELEMENTS.items() if key in fields
    ]
