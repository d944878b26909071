"""Official documents (公文, GB/T 9704-2012): the document with every element, its recipients,
attachments and draft versions; incoming register entries (收文) and circulation (传阅); import
batches of existing documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.permissions import Classification
from tongban.documents.types import DocumentType, Urgency


class Origin(models.TextChoices):
    DRAFTED = "drafted", _("Drafted here")
    RECEIVED = "received", _("Received from outside")
    IMPORTED = "imported", _("Imported")


class Stage(models.TextChoices):
    """Where a document is. Outgoing documents follow their process (发文); documents received
    from outside or imported are registered (登记) as they are."""

    DRAFT = "draft", _("Drafting")
    REVIEW = "review", _("Review")
    COUNTERSIGN = "countersign", _("Countersign")
    SIGN_OFF = "sign_off", _("Sign-off")
    NUMBERING = "numbering", _("Registration")
    SEALING = "sealing", _("Sealing")
    DISTRIBUTION = "distribution", _("Distribution")
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled")
    REGISTERED = "registered", _("Registered")
    DISPOSED = "disposed", _("Destroyed after appraisal")


# The process steps of the shipped ``outgoing_document`` process, in order.
OUTGOING_STEPS = (
    Stage.DRAFT,
    Stage.REVIEW,
    Stage.COUNTERSIGN,
    Stage.SIGN_OFF,
    Stage.NUMBERING,
    Stage.SEALING,
    Stage.DISTRIBUTION,
)


class Document(models.Model):
    """公文: one official document with every element of GB/T 9704-2012.

    ``department`` owns it (the drafting division, or the unit that registered it) and decides
    who may read it with the access policy; ``issuing_department`` is the organ that issues it
    (发文机关) and whose seal and number it carries.
    """

    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, db_index=True)
    doc_type = models.CharField(_("type"), max_length=4, choices=DocumentType.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuing_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("issuing authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuing_authority = models.CharField(_("issuing authority"), max_length=200, blank=True)
    authority_mark = models.CharField(_("issuing-authority mark"), max_length=200, blank=True)
    # 发文字号: code〔year〕serial号. The parts are kept so that the number is unique per code
    # and year (a constraint) and registers sort by it.
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)
    number_code = models.CharField(max_length=40, blank=True)
    number_year = models.PositiveSmallIntegerField(null=True, blank=True)
    number_serial = models.PositiveIntegerField(null=True, blank=True)
    copy_number = models.CharField(_("copy number"), max_length=6, blank=True)
    classification = models.PositiveSmallIntegerField(
        _("classification"), choices=Classification.choices, default=Classification.PUBLIC
    )
    secrecy_period = models.CharField(_("secrecy period"), max_length=20, blank=True)
    urgency = models.CharField(_("urgency"), max_length=4, choices=Urgency.choices, blank=True)
    signers = models.JSONField(_("signed off by"), default=list, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    signature = models.CharField(_("signature (issuing authority)"), max_length=200, blank=True)
    date_written = models.DateField(_("date written"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    printer = models.CharField(_("printed by"), max_length=200, blank=True)
    print_date = models.DateField(_("printed on"), null=True, blank=True)
    copies = models.PositiveIntegerField(_("copies"), default=0)
    instance = models.ForeignKey(
        "workflow.ProcessInstance",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    official_pdf = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sealed_pdf = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    official_layout = models.JSONField(default=dict, blank=True, help_text="pages, seal place")
    seal_token = models.CharField(max_length=32, blank=True)
    source_file = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # SHA-256 of an imported document's text without white space: the same document imported
    # again (the same file, or the same text in another format) is recognised by it.
    text_hash = models.CharField(max_length=64, blank=True, db_index=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    record_code = models.CharField(_("archival code"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("official document")
        verbose_name_plural = _("official documents")
        constraints = [
            models.UniqueConstraint(
                fields=["number_code", "number_year", "number_serial"],
                condition=Q(number_serial__isnull=False),
                name="documents_number_unique",
            )
        ]
        indexes = [
            models.Index(fields=["department", "-created_at"]),
            models.Index(fields=["issuing_department", "number_year", "number_serial"]),
            models.Index(fields=["stage", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.doc_number} {self.title}".strip()

    @property
    def is_outgoing(self) -> bool:
        return self.origin == Origin.DRAFTED


class RecipientKind(models.TextChoices):
    MAIN = "main", _("Main recipient")
    COPY = "cc", _("Copied to")


class Recipient(models.Model):
    """主送机关 / 抄送机关: a department of the platform, or an outside organ by name."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    kind = models.CharField(max_length=4, choices=RecipientKind.choices)
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "order", "id"]

    def __str__(self) -> str:
        return self.name


class Attachment(models.Model):
    """附件: a file with its title (the 附件说明 line) and its text for search."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    # The name this person gave the file (the store keeps the first name the same bytes had).
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    title = models.CharField(_("title"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    """A saved state of a draft: what changed between two can be shown as a diff."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    main_recipients = models.CharField(max_length=1000, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)
    step = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="documents_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class IncomingStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting receipt")
    RECEIVED = "received", _("Received")
    REGISTERED = "registered", _("Registered")
    PROPOSED = "proposed", _("Handling proposed")
    HANDLING = "handling", _("Being handled")
    COMPLETED = "completed", _("Completed")
    RETURNED = "returned", _("Returned to sender")
    CANCELLED = "cancelled", _("Handling stopped")


class IncomingItem(models.Model):
    """收文: a document in one receiving unit's incoming register, from its arrival through
    签收, 登记 (收文编号), 拟办, 批办, 承办 to 办结."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="incoming")
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("receiving unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(max_length=4, choices=RecipientKind.choices, default="main")
    status = models.CharField(
        _("status"), max_length=10, choices=IncomingStatus.choices, db_index=True
    )
    arrived_at = models.DateTimeField(_("arrived"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("signed for"), null=True, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=40, blank=True)
    receipt_year = models.PositiveSmallIntegerField(null=True, blank=True)
    receipt_serial = models.PositiveIntegerField(null=True, blank=True)
    copies_received = models.PositiveIntegerField(_("copies received"), default=1)
    proposal = models.TextField(_("proposed handling"), blank=True)
    for_handling = models.BooleanField(_("needs handling"), default=True)
    instruction = models.TextField(_("instruction"), blank=True)
    host_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("host department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    co_departments = models.ManyToManyField(
        "org.Department", verbose_name=_("co-departments"), blank=True, related_name="+"
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    instance = models.ForeignKey(
        "workflow.ProcessInstance",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_reason = models.CharField(_("reason"), max_length=300, blank=True)
    record_code = models.CharField(_("archival code"), max_length=100, blank=True)

    class Meta:
        ordering = ["-arrived_at", "-id"]
        verbose_name = _("incoming document")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "department"], name="documents_incoming_once_per_unit"
            ),
            models.UniqueConstraint(
                fields=["department", "receipt_year", "receipt_serial"],
                condition=Q(receipt_serial__isnull=False),
                name="documents_receipt_number_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status", "-arrived_at"]),
            models.Index(fields=["department", "receipt_year", "receipt_serial"]),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number or '—'} {self.document.title}"


class Circulation(models.Model):
    """传阅: a copy of an incoming document passed to a reader, with the read receipt."""

    item = models.ForeignKey(IncomingItem, on_delete=models.CASCADE, related_name="circulations")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "reader"], name="documents_circulation_once")
        ]
        indexes = [models.Index(fields=["reader", "read_at"])]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.reader_id}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RECOGNISED = "recognised", _("Recognised")
    FAILED = "failed", _("Could not be read")
    REGISTERED = "registered", _("Registered")
    DISCARDED = "discarded", _("Discarded")
    DUPLICATE = "duplicate", _("Already imported")


class ImportBatch(models.Model):
    """A batch of existing documents being imported by one clerk (or, without one, by the
    installation's operator at the command line)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import {self.pk}"


class ImportItem(models.Model):
    """One file of a batch: what was recognised (with confidences), or why it failed."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    filename = models.CharField(_("file"), max_length=255)
    file = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    recognised = models.JSONField(default=dict, blank=True)
    error = models.CharField(_("problem"), max_length=500, blank=True)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text_hash = models.CharField(max_length=64, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def report(self) -> list[ReportRow]:
        """What was recognised, one row per element with its translated label (the import
        report shows these, never the stored names or values)."""
        return report_rows(self.recognised)


class ReviewReason(models.TextChoices):
    MISSING = "missing", _("Not found in the file")
    UNCERTAIN = "uncertain", _("Recognised, but not sure")


# The elements of an imported document, as the import report and the review queue name them.
RECOGNISED_LABELS = {
    "title": _("Title"),
    "issuing_authority": _("Issuing authority"),
    "issuers": _("Joint issuers"),
    "doc_number": _("Document number"),
    "date_written": _("Date written"),
    "doc_type": _("Type"),
    "main_recipients": _("Main recipients"),
    "classification": _("Classification"),
    "urgency": _("Urgency"),
    "attachments": _("Attachments"),
}


@dataclass(frozen=True)
class ReportRow:
    name: str
    label: str
    value: str
    confidence: float | None
    evidence: str
    review: str  # "" or the reason's label


def display_value(name: str, value: Any) -> str:
    """A recognised value as a person reads it: lists joined with 、, types by their name."""
    if value in (None, "", []):
        return ""
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value if str(v).strip())
    if name == "doc_type" and value in DocumentType.values:
        return str(DocumentType(value).label)
    if name == "urgency" and value in Urgency.values:
        return str(Urgency(value).label)
    return str(value)


def report_rows(recognised: dict[str, Any]) -> list[ReportRow]:
    review = recognised.get("review") or {}
    rows = []
    for name, label in RECOGNISED_LABELS.items():
        entry = recognised.get(name)
        reason = review.get(name, "")
        if not isinstance(entry, dict) and not reason:
            continue
        entry = entry if isinstance(entry, dict) else {}
        rows.append(
            ReportRow(
                name=name,
                label=str(label),
                value=display_value(name, entry.get("value")),
                confidence=entry.get("confidence"),
                evidence=str(entry.get("evidence") or ""),
                review=str(ReviewReason(reason).label) if reason in ReviewReason.values else "",
            )
        )
    return rows


class ImportReview(models.Model):
    """待核对: an imported document whose elements were not all recognised with certainty: the
    fields to check and why (``to_check``: {name: "missing" | "uncertain"}); a clerk completes
    them (``importing.complete_review``)."""

    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, related_name="import_review"
    )
    to_check = models.JSONField(default=dict)
    # What was recognised for each field to check: value, confidence and the line read from.
    recognised = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["completed_at", "created_at"])]

    def __str__(self) -> str:
        return f"review {self.document_id}"

    @property
    def checks(self) -> list[ReportRow]:
        """The fields to check, each with its label, what was recognised and why."""
        data = {**self.recognised, "review": self.to_check}
        return [row for row in report_rows(data) if row.name in self.to_check]
