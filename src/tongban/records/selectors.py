"""Reads of the records, already narrowed by the access policy (``visible_to``): a person sees
the records of the departments their ``records.view`` grants reach, up to their clearance, in
lists and by id alike; a record outside that answers NotFound."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.core import labels
from tongban.core.errors import NotFound
from tongban.core.http import links
from tongban.core.permissions import Action
from tongban.org import policy
from tongban.records.models import (
    Appraisal,
    AppraisalKind,
    DecisionState,
    Fonds,
    Record,
    RecordStatus,
)

if TYPE_CHECKING:
    from tongban.identity.http import Viewer


def _records() -> QuerySet[Record]:
    return Record.objects.select_related("fonds", "department", "archived_by")


def records_for(
    user: Viewer,
    *,
    q: str = "",
    year: int | None = None,
    retention: str = "",
    status: str = "",
    fonds: str = "",
) -> QuerySet[Record]:
    """The records the person may see, filtered: text in the title, document number, archival
    code or responsible party; year; retention; status; fonds code."""
    qs = policy.visible_to(user, _records())
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(doc_number__icontains=q)
            | Q(archival_code__icontains=q)
            | Q(responsible__icontains=q)
        )
    if year:
        qs = qs.filter(year=year)
    if retention:
        qs = qs.filter(retention=retention)
    if status:
        qs = qs.filter(status=status)
    if fonds:
        qs = qs.filter(fonds__code=fonds.strip().upper())
    return qs


def record_by_id(user: Viewer, pk: int) -> Record:
    found = policy.visible_to(user, _records()).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def record_by_code(user: Viewer, archival_code: str) -> Record:
    found = policy.visible_to(user, _records()).filter(archival_code=archival_code).first()
    if found is None:
        raise NotFound()
    return found


@dataclass(frozen=True)
class Source:
    """What a record was made of, as its page names it: 公文 示政办发〔2026〕12号, with a link."""

    kind: str  # the source type's label (core.labels)
    name: str  # its document number, else its title
    url: str  # its page ("" when it has none)
    code: str  # type and id as stored, for the curious: "documents.document 297"


def source_of(record: Record) -> Source:
    return Source(
        kind=labels.object_type_label(record.source_type),
        name=record.doc_number or record.title,
        url=links.page_of(record.source_type, record.source_id),
        code=f"{record.source_type} {record.source_id}",
    )


def metadata_of(record: Record) -> list[tuple[str, str]]:
    """The metadata kept with the record, as label and text (the app of its source says how
    they read: core.labels.register_describer)."""
    return labels.describe(record.source_type, record.metadata or {})


def record_for_source(user: Viewer, source_type: str, source_id: str) -> Record | None:
    """The record made of a source (e.g. "documents.document", "42"), if the person may see it."""
    return (
        policy.visible_to(user, _records())
        .filter(source_type=source_type, source_id=str(source_id))
        .first()
    )


def appraisal_due(user: Viewer, today: date | None = None) -> QuerySet[Record]:
    """待鉴定: records whose retention has run out, for the person who appraises them
    (``records.archive``): oldest first."""
    today = today or timezone.localdate()
    return (
        policy.visible_to(user, _records(), Action.ARCHIVE_RECORDS)
        .filter(status__in=[RecordStatus.ARCHIVED, RecordStatus.RETAINED], expires_on__lte=today)
        .order_by("expires_on", "archival_code")
    )


def _appraisals() -> QuerySet[Appraisal]:
    return Appraisal.objects.select_related(
        "record", "record__fonds", "record__department", "appraised_by", "decided_by"
    )


def pending_disposals(user: Viewer) -> QuerySet[Appraisal]:
    """Disposals waiting for approval that the person may approve (``records.approve_disposal``)."""
    return policy.visible_to(
        user,
        _appraisals().filter(kind=AppraisalKind.DISPOSE, state=DecisionState.PENDING),
        Action.APPROVE_DISPOSAL,
    ).order_by("appraised_at", "pk")


def proposed_by_me(user: Viewer) -> QuerySet[Appraisal]:
    return policy.visible_to(
        user,
        _appraisals().filter(
            kind=AppraisalKind.DISPOSE, state=DecisionState.PENDING, appraised_by=user
        ),
        Action.ARCHIVE_RECORDS,
    )


def disposal_list(user: Viewer, *, fonds: str = "", year: int | None = None) -> QuerySet[Appraisal]:
    """销毁清册: the approved disposals the person may see, newest first."""
    qs = policy.visible_to(
        user,
        _appraisals()
        .filter(kind=AppraisalKind.DISPOSE, state=DecisionState.APPROVED)
        .prefetch_related("record__files"),
    )
    if fonds:
        qs = qs.filter(record__fonds__code=fonds.strip().upper())
    if year:
        qs = qs.filter(record__year=year)
    return qs.order_by("-decided_at", "-pk")


def appraisals_of(user: Viewer, item: Record) -> QuerySet[Appraisal]:
    """The appraisal history of a record the person may see."""
    return policy.visible_to(user, _appraisals().filter(record=item)).order_by("appraised_at")


def fonds_for(user: Viewer) -> QuerySet[Fonds]:
    return policy.visible_to(user, Fonds.objects.select_related("department")).order_by("code")


def years_of(user: Viewer) -> list[int]:
    return sorted(
        set(policy.visible_to(user, Record.objects.all()).values_list("year", flat=True)),
        reverse=True,
    )


def fonds_units(user: Viewer) -> list[tuple[Any, Fonds | None]]:
    """The units (立档单位: not divisions) the person archives for, each with its fonds if any."""
    from tongban.org.models import Department, DepartmentKind

    units = policy.visible_to(
        user,
        Department.objects.exclude(kind=DepartmentKind.DIVISION).order_by("path"),
        Action.ARCHIVE_RECORDS,
    )
    fonds = {f.department_id: f for f in Fonds.objects.filter(department__in=units)}
    return [(unit, fonds.get(unit.pk)) for unit in units]


def may_read(user: Viewer) -> bool:
    """Whether the person reads records at all (a reader or an archivist)."""
    return policy.can(user, Action.VIEW_RECORDS) or policy.can(user, Action.ARCHIVE_RECORDS)


def require_reader(user: Viewer) -> None:
    """Refuse (and record) a person who reads no records."""
    if not may_read(user):
        policy.require(user, Action.VIEW_RECORDS)


def require_archivist(user: Viewer) -> None:
    policy.require(user, Action.ARCHIVE_RECORDS)


def require_disposal_reader(user: Viewer) -> None:
    """The disposal pages: for approvers of disposals and for readers of records."""
    if not (policy.can(user, Action.APPROVE_DISPOSAL) or may_read(user)):
        policy.require(user, Action.APPROVE_DISPOSAL)


@dataclass(frozen=True)
class RecordPermissions:
    """What a person may do on the records pages."""

    archive: bool
    approve_disposal: bool


def record_permissions(user: Viewer, item: Record | None = None) -> RecordPermissions:
    return RecordPermissions(
        archive=policy.can(user, Action.ARCHIVE_RECORDS, item)
        if item is not None
        else policy.can(user, Action.ARCHIVE_RECORDS),
        approve_disposal=policy.can(user, Action.APPROVE_DISPOSAL),
    )


def pending_disposal_of(user: Viewer, item: Record) -> Appraisal | None:
    return pending_disposals(user).filter(record=item).first()


def fonds_in_use(units: list[tuple[Any, Fonds | None]]) -> set[int]:
    """The fonds (of ``fonds_units``) that records already carry: their code no longer changes."""
    return set(
        Record.objects.filter(fonds__in=[f for _unit, f in units if f]).values_list(
            "fonds_id", flat=True
        )
    )
