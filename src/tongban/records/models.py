"""Archiving (归档): fonds (全宗), records (件) with their files, and appraisal decisions (鉴定).

The archival code (档号) follows DA/T 22-2015《归档文件整理规则》§5.4 and DA/T 13-2022《档号编制规则》
for items (按件整理): ``全宗号-档案门类代码·年度-保管期限-机构(问题)代码-件号``, e.g.
``F001-WS·2026-Y-BGT-0001`` — levels joined by "-", codes of one level by "·"; the year in four
digits; retention as Y (永久), D30 (定期30年), D10 (定期10年); the item number in four digits with
leading zeros, counted from 0001 within the lowest class (here: fonds + category + year + retention +
organisation). See docs/records.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.permissions import Classification

fonds_code_validator = RegexValidator(
    r"^[A-Z0-9]{1,16}$",
    _("A fonds code has 1 to 16 capital letters or digits (e.g. F001 or J012)."),
)


class Retention(models.TextChoices):
    """保管期限 (DA/T 22-2015 §5.4; codes of DA/T 13-2022). The same values as
    ``documents.types.Retention``, which layer 3 may not import."""

    PERMANENT = "Y", _("Permanent (永久)")
    YEARS_30 = "D30", _("30 years (定期30年)")
    YEARS_10 = "D10", _("10 years (定期10年)")


# Years of each retention; None never expires.
RETENTION_YEARS: dict[str, int | None] = {"Y": None, "D30": 30, "D10": 10}


class RecordStatus(models.TextChoices):
    ARCHIVED = "archived", _("Archived")
    DISPOSAL_PROPOSED = "disposal_proposed", _("Disposal proposed")
    DISPOSED = "disposed", _("Disposed")
    RETAINED = "retained", _("Retained after appraisal")


class FileRole(models.TextChoices):
    """What a file is within the item (件): DA/T 22-2015 §5.1 keeps the main text, its
    attachments, the final draft and the processing slip together as one item."""

    MAIN = "main", _("Main text (正文)")
    ATTACHMENT = "attachment", _("Attachment (附件)")
    DRAFT = "draft", _("Final draft (定稿)")
    PROCESSING_SLIP = "processing_slip", _("Processing slip (文件处理单/发文稿纸)")
    OTHER = "other", _("Other")


class Fonds(models.Model):
    """全宗: all records of one unit (立档单位) — a bureau, a district, the city government.

    The fonds code (全宗号) is normally given by the archives (档案馆). A unit's fonds is created
    on its first archiving with the next free code ``F001``, ``F002``…; whoever holds
    ``records.archive`` over the unit may set the real code before the first record carries it
    (DA/T 13-2022 §4.3: a code once assigned should not change), and the name at any time.
    """

    code = models.CharField(
        _("fonds code (全宗号)"), max_length=16, unique=True, validators=[fonds_code_validator]
    )
    name = models.CharField(_("fonds name"), max_length=100)
    department = models.OneToOneField(
        "org.Department",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="fonds",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by_username = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("fonds")
        verbose_name_plural = _("fonds")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Record(models.Model):
    """件: one archived item, its catalogue line (DA/T 22-2015 §5.5: 序号, 档号, 文号, 责任者, 题名,
    日期, 密级, 页数, 备注) and where it came from. The line stays after disposal."""

    fonds = models.ForeignKey(Fonds, on_delete=models.PROTECT, related_name="records")
    category_code = models.CharField(_("category code (门类代码)"), max_length=8, default="WS")
    year = models.PositiveSmallIntegerField(_("year (年度)"))
    retention = models.CharField(_("retention (保管期限)"), max_length=3, choices=Retention.choices)
    organisation_code = models.CharField(_("organisation code (机构(问题)代码)"), max_length=32)
    item_number = models.PositiveIntegerField(_("item number (件号)"))
    archival_code = models.CharField(_("archival code (档号)"), max_length=100, unique=True)

    doc_number = models.CharField(_("document number (文号)"), max_length=100, blank=True)
    responsible = models.CharField(_("responsible party (责任者)"), max_length=200)
    title = models.CharField(_("title (题名)"), max_length=500)
    date = models.DateField(_("date (日期)"))
    classification = models.PositiveSmallIntegerField(
        _("classification (密级)"), choices=Classification.choices, default=Classification.PUBLIC
    )
    pages = models.PositiveIntegerField(_("pages (页数)"), null=True, blank=True)
    remarks = models.CharField(_("remarks (备注)"), max_length=500, blank=True)

    source_type = models.CharField(_("source type"), max_length=100)
    source_id = models.CharField(_("source id"), max_length=64)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)

    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    archived_at = models.DateTimeField(_("archived at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.ARCHIVED
    )
    expires_on = models.DateField(
        _("retention ends"),
        null=True,
        blank=True,
        help_text="First day after the retention period; empty for permanent records.",
    )
    disposed_at = models.DateTimeField(_("disposed at"), null=True, blank=True)

    class Meta:
        ordering = ["fonds__code", "category_code", "year", "retention", "organisation_code",
                    "item_number"]  # fmt: skip
        verbose_name = _("record")
        verbose_name_plural = _("records")
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"], name="records_one_record_per_source"
            ),
            models.UniqueConstraint(
                fields=[
                    "fonds",
                    "category_code",
                    "year",
                    "retention",
                    "organisation_code",
                    "item_number",
                ],
                name="records_item_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(retention__in=Retention.values), name="records_retention_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RecordStatus.values), name="records_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_on"]),
            models.Index(fields=["fonds", "year"]),
            models.Index(fields=["department", "year"]),
        ]

    def __str__(self) -> str:
        return f"{self.archival_code} {self.title}"[:200]

    @property
    def files_available(self) -> bool:
        return self.status != RecordStatus.DISPOSED


class RecordFile(models.Model):
    """A file of a record: its bytes live in the content-addressed store (``core.files``), named
    by SHA-256. After disposal the row stays (name, size, SHA-256: what was destroyed) and
    ``stored`` is empty."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="files")
    stored = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    name = models.CharField(_("file name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=FileRole.choices)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    checked_at = models.DateTimeField(_("fixity checked at"), null=True, blank=True)
    fixity_ok = models.BooleanField(_("fixity intact"), null=True, blank=True)

    class Meta:
        ordering = ["record", "position", "pk"]
        verbose_name = _("record file")
        verbose_name_plural = _("record files")
        constraints = [
            models.UniqueConstraint(fields=["record", "name"], name="records_file_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"


class AppraisalKind(models.TextChoices):
    KEEP = "keep", _("Keep (extend the retention)")
    DISPOSE = "dispose", _("Dispose")


class DecisionState(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Appraisal(models.Model):
    """鉴定: a decision on a record whose retention has run out. "keep" takes effect at once with
    a longer retention; "dispose" waits for a second person's approval. The approved ones form
    the disposal list (销毁清册): who proposed, who approved, when, why."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="appraisals")
    kind = models.CharField(_("decision"), max_length=10, choices=AppraisalKind.choices)
    reason = models.TextField(_("reason"))
    retention_before = models.CharField(max_length=3, choices=Retention.choices)
    retention_after = models.CharField(max_length=3, choices=Retention.choices, blank=True)
    status_before = models.CharField(max_length=20, choices=RecordStatus.choices)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    appraised_at = models.DateTimeField(_("appraised at"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=DecisionState.choices, default=DecisionState.APPROVED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-appraised_at", "-pk"]
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(state="pending"),
                name="records_one_pending_disposal_per_record",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AppraisalKind.values), name="records_appraisal_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.kind} ({self.state})"
