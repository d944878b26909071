"""Reads of official documents, each narrowed inside the query to what the person may see.

A person sees a document when
  * a role with ``documents.view`` reaches the department that owns it (the access policy:
    scope, delegation, and the 密级 against their clearance), or
  * it was delivered to a unit such a role reaches (its incoming register), or
  * they take part in its process, outgoing or incoming (an open or done task, or they started
    it: the reviewer, a countersigning head, the signer, the seal keeper, a host department), or
  * it was passed to them for reading (传阅);
and never when its classification is above their clearance.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tongban.core import calendar
from tongban.core.errors import InvalidInput, NotFound
from tongban.core.permissions import Action
from tongban.core.search import RankedResults
from tongban.documents import indexing, services
from tongban.documents.models import (
    Circulation,
    Document,
    DocumentVersion,
    ImportReview,
    IncomingItem,
    IncomingStatus,
    Stage,
)
from tongban.org import policy
from tongban.org.models import Department
from tongban.workflow import selectors as workflow
from tongban.workflow.models import ProcessInstance, Task

if TYPE_CHECKING:
    from tongban.identity.http import Viewer

# A search counts its matches up to this many (for the pages); two common words can match tens
# of thousands, and counting them all would cost more than finding the best.
SEARCH_COUNT_LIMIT = 1000

# Deadlines: yellow when this many working days or fewer are left, red when passed.
YELLOW_WORKING_DAYS = 2


def visible_documents(user: Viewer) -> QuerySet[Document]:
    """Every document ``user`` may read (see the module docstring): one query."""
    if user is None or not getattr(user, "is_authenticated", False) or user.admin_role:
        return Document.objects.none()
    owned = policy.visible_to(user, Document.objects.all())
    delivered = policy.visible_to(user, IncomingItem.objects.all()).filter(document=OuterRef("pk"))
    instances = workflow.involved_instances(user).values("pk")
    in_incoming = IncomingItem.objects.filter(document=OuterRef("pk"), instance__in=instances)
    reading = Circulation.objects.filter(item__document=OuterRef("pk"), reader=user)
    return Document.objects.filter(
        Q(pk__in=owned.values("pk"))
        | Exists(delivered)
        | Q(instance__in=instances)
        | Exists(in_incoming)
        | Exists(reading),
        classification__lte=user.clearance,
    )


def document_for(user: Viewer, pk: int) -> Document:
    document = (
        visible_documents(user)
        .select_related("department", "issuing_department", "drafter", "signed_by", "instance")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise NotFound()
    return document


def import_reviews(user: Viewer) -> QuerySet[ImportReview]:
    """The review queue (待核对): imported documents with elements to check, that ``user`` may
    see (the documents' own visibility), oldest first."""
    return (
        ImportReview.objects.filter(
            completed_at__isnull=True, document__in=visible_documents(user).values("pk")
        )
        .select_related("document", "document__department")
        .order_by("created_at", "id")
    )


def import_review_for(user: Viewer, review_id: int) -> ImportReview:
    """One open review of a document ``user`` may see; NotFound otherwise."""
    review = import_reviews(user).filter(pk=review_id).first()
    if review is None:
        raise NotFound()
    return review


def import_review_of(user: Viewer, document_id: int) -> ImportReview | None:
    """The open review of a document ``user`` may see, if it has one."""
    return import_reviews(user).filter(document_id=document_id).first()


@dataclass(frozen=True)
class DocumentFilter:
    q: str = ""
    doc_type: str = ""
    year: int | None = None
    issuing: str = ""  # issuing authority (name contains) or department code
    stage: str = ""
    classification: int | None = None
    origin: str = ""


def _year(year: int | None) -> int | None:
    if year is not None and not 1900 <= year <= 2100:
        raise InvalidInput(_("A year is written with four digits, 1900 to 2100."), field="year")
    return year


def _filtered(qs: QuerySet[Document], flt: DocumentFilter) -> QuerySet[Document]:
    _year(flt.year)
    if flt.doc_type:
        qs = qs.filter(doc_type=flt.doc_type)
    if flt.year:
        qs = qs.filter(Q(number_year=flt.year) | Q(date_written__year=flt.year))
    if flt.issuing:
        qs = qs.filter(
            Q(issuing_department__code__iexact=flt.issuing)
            | Q(issuing_authority__icontains=flt.issuing)
        )
    if flt.stage:
        qs = qs.filter(stage=flt.stage)
    if flt.classification is not None:
        qs = qs.filter(classification=flt.classification)
    if flt.origin:
        qs = qs.filter(origin=flt.origin)
    return qs


def documents(user: Viewer, flt: DocumentFilter) -> QuerySet[Document] | RankedResults[Document]:
    """The document list (newest first), or with ``q`` the search (best first, read a page at
    a time: slice it or give it to a Paginator)."""
    qs = document_list(user, flt)
    if flt.q.strip():
        # Every filter is in the queryset: each statement of the search applies it (the search
        # orders by relevance instead).
        return indexing.INDEX.ranked(qs, flt.q, count_limit=SEARCH_COUNT_LIMIT)
    return qs


@dataclass(frozen=True)
class SearchTotal:
    """How many documents a search found among those the person may read."""

    count: int
    capped: bool  # more match: counting stopped at SEARCH_COUNT_LIMIT, ``count`` is that limit


def search_total(results: QuerySet[Document] | RankedResults[Document]) -> SearchTotal:
    """The total of ``documents(user, flt)``: one counting statement, within what ``user`` may
    read (the results are already narrowed to it), up to ``SEARCH_COUNT_LIMIT`` for a search."""
    if isinstance(results, RankedResults):
        return SearchTotal(results.count(), results.capped)
    return SearchTotal(results.count(), False)


def document_list(user: Viewer, flt: DocumentFilter) -> QuerySet[Document]:
    """The documents ``user`` may read that pass the filter (not its words), newest first."""
    return (
        _filtered(visible_documents(user), flt)
        .select_related("department")
        .order_by("-created_at", "-id")
    )


def snippet(document: Document, q: str) -> SafeString:
    """The first place the query's words occur, marked: in the body, else the attachments, else
    the start of the body."""
    from tongban.core import text

    terms = indexing.INDEX.terms(q)
    wanted = [text.normalise(t) for t in terms]
    for source in (document.body, *(a.text for a in document.attachments.all())):
        if source and any(t in text.normalise(source) for t in wanted):
            return text.snippet(source, terms)
    return text.snippet(document.body or "", terms)


def highlighted_title(document: Document, q: str) -> SafeString:
    from tongban.core import text

    return text.snippet(document.title, indexing.INDEX.terms(q), width=len(document.title) + 10)


# --- tasks on a document -----------------------------------------------------------------------


def my_open_tasks(user: Viewer, document: Document) -> list[Task]:
    """The person's open tasks (assigned, claimable, delegated) on the document's processes."""
    instance_ids = [document.instance_id] if document.instance_id else []
    instance_ids += [
        i for i in document.incoming.values_list("instance_id", flat=True) if i is not None
    ]
    if not instance_ids:
        return []
    return list(
        workflow.todo(user)
        .filter(instance_id__in=instance_ids)
        .select_related("instance", "assignee")
        .order_by("id")
    )


# --- incoming -----------------------------------------------------------------------------


def incoming_register(
    user: Viewer, *, status: str = "", year: int | None = None, q: str = ""
) -> QuerySet[IncomingItem]:
    """收文登记簿: the incoming documents of the units the person's roles reach."""
    _year(year)
    qs = policy.visible_to(user, IncomingItem.objects.all(), Action.VIEW_DOCUMENTS).filter(
        document__classification__lte=getattr(user, "clearance", 0)
    )
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(Q(receipt_year=year) | Q(arrived_at__year=year))
    if q:
        qs = qs.filter(
            Q(document__title__icontains=q[:50])
            | Q(document__doc_number__icontains=q[:50])
            | Q(receipt_number__icontains=q[:50])
        )
    return qs.select_related("document", "department", "host_department", "received_by").order_by(
        "-arrived_at", "-id"
    )


def visible_incoming(user: Viewer) -> QuerySet[IncomingItem]:
    """Incoming register entries the person may open: of a unit a role with ``documents.view``
    reaches, or whose handling they take part in, or passed to them to read. Another unit's
    handling of the same document (its proposals, instructions) stays with that unit."""
    if user is None or not getattr(user, "is_authenticated", False) or user.admin_role:
        return IncomingItem.objects.none()
    instances = workflow.involved_instances(user).values("pk")
    return IncomingItem.objects.filter(
        Q(pk__in=policy.visible_to(user, IncomingItem.objects.all()).values("pk"))
        | Q(instance__in=instances)
        | Exists(Circulation.objects.filter(item=OuterRef("pk"), reader=user)),
        document__classification__lte=user.clearance,
    )


def incoming_for(user: Viewer, pk: int) -> IncomingItem:
    item = (
        visible_incoming(user)
        .filter(pk=pk)
        .select_related("document", "department", "host_department", "received_by", "instance")
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def outgoing_register(
    user: Viewer, *, year: int | None = None, issuing: str = ""
) -> QuerySet[Document]:
    """发文登记簿: numbered outgoing documents the person may see, by number."""
    _year(year)
    qs = visible_documents(user).filter(number_serial__isnull=False, origin="drafted")
    if year:
        qs = qs.filter(number_year=year)
    if issuing:
        qs = qs.filter(issuing_department__code__iexact=issuing)
    return qs.select_related("issuing_department", "department", "drafter").order_by(
        "number_code", "number_year", "number_serial"
    )


def waiting_for_seal(user: Viewer) -> QuerySet[Document]:
    """The seal keeper's queue: documents whose sealing step is theirs (assigned or shared) and
    that they may read."""
    from tongban.documents.services import OUTGOING

    instances = (
        workflow.todo(user)
        .filter(bpmn_id="sealing", instance__business_type=OUTGOING)
        .values("instance_id")
    )
    return (
        visible_documents(user)
        .filter(instance__in=instances, stage=Stage.SEALING)
        .select_related("issuing_department")
        .order_by("pk")
    )


def to_read(user: Viewer) -> QuerySet[Circulation]:
    """待阅: documents passed to me that I have not confirmed reading."""
    return (
        Circulation.objects.filter(reader=user, read_at__isnull=True)
        .select_related("item__document", "item__department", "sent_by")
        .order_by("sent_at")
    )


def deadline_state(due_on: date | None, today: date | None = None, done: bool = False) -> str:
    """ "red" when the time limit passed, "yellow" when at most two working days are left,
    "" otherwise (or when done)."""
    if due_on is None or done:
        return ""
    today = today or timezone.localdate()
    if due_on < today:
        return "red"
    if calendar.working_days_between(today, due_on) <= YELLOW_WORKING_DAYS:
        return "yellow"
    return ""


def awaiting_count(user: Viewer) -> int:
    return incoming_register(user, status=IncomingStatus.AWAITING).count()


# --- versions -----------------------------------------------------------------------------


@dataclass
class DiffLine:
    kind: str  # "same" | "changed" | "added" | "removed"
    html: SafeString


def _inline(a: str, b: str) -> SafeString:
    """One paragraph changed: deleted characters in <del>, inserted in <ins>."""
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape(a[a1:a2]))
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(a[a1:a2])}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(b[b1:b2])}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


def diff(old: DocumentVersion, new: DocumentVersion) -> list[DiffLine]:
    """What changed between two versions, paragraph by paragraph (the title first)."""
    a = [f"〔{old.title}〕", *(old.body.splitlines()), f"主送：{old.main_recipients}"]
    b = [f"〔{new.title}〕", *(new.body.splitlines()), f"主送：{new.main_recipients}"]
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            lines += [DiffLine("same", escape(x)) for x in a[a1:a2]]
        elif op == "replace" and a2 - a1 == b2 - b1:
            lines += [
                DiffLine("changed", _inline(x, y)) for x, y in zip(a[a1:a2], b[b1:b2], strict=True)
            ]
        else:
            lines += [DiffLine("removed", escape(x)) for x in a[a1:a2]]
            lines += [DiffLine("added", escape(y)) for y in b[b1:b2]]
    return lines


def version_pair(
    document: Document, old_number: int | None, new_number: int | None
) -> tuple[DocumentVersion, DocumentVersion] | None:
    versions = {v.number: v for v in document.versions.all()}
    if len(versions) < 2:
        return None
    newest = max(versions)
    new = versions.get(new_number or newest)
    old = versions.get(old_number or ((new.number - 1) if new else newest - 1))
    if old is None or new is None:
        raise NotFound()
    return old, new


def open_tasks(document: Document) -> list[Task]:
    """The open steps of the document's own process (not of its incoming copies)."""
    if document.instance_id is None:
        return []
    return list(
        Task.objects.filter(instance_id=document.instance_id, status="open")
        .select_related("assignee")
        .order_by("id")
    )


def detail(user: Viewer, document: Document) -> dict[str, Any]:
    """Every element, the open steps and which of them the person may complete."""
    mine = {t.pk for t in my_open_tasks(user, document)}
    return {
        **services.elements(document),
        "countersign_departments": countersign_codes(document),
        "open_tasks": [
            {
                "id": t.pk,
                "step": t.bpmn_id,
                "name": t.name,
                "assignee": t.assignee.username if t.assignee else None,
                "candidates": t.candidate_label,
                "due_on": t.due_on,
            }
            for t in open_tasks(document)
        ],
        "my_tasks": sorted(mine),
    }


def incoming_detail(item: IncomingItem) -> dict[str, Any]:
    document = item.document
    done = item.status in (IncomingStatus.COMPLETED, IncomingStatus.RETURNED)
    return {
        "id": item.pk,
        "document_id": document.pk,
        "title": document.title,
        "doc_number": document.doc_number,
        "issuing_authority": document.issuing_authority,
        "unit": item.department.code,
        "kind": item.kind,
        "status": item.status,
        "arrived_at": item.arrived_at,
        "received_by": item.received_by.username if item.received_by else "",
        "received_at": item.received_at,
        "receipt_number": item.receipt_number,
        "copies_received": item.copies_received,
        "proposal": item.proposal,
        "for_handling": item.for_handling,
        "instruction": item.instruction,
        "host_department": item.host_department.code if item.host_department else "",
        "co_departments": [d.code for d in item.co_departments.all()],
        "due_on": item.due_on,
        "deadline": deadline_state(item.due_on, done=done),
        "completed_at": item.completed_at,
        "result": item.result,
        "instance_id": item.instance_id,
        "record_code": item.record_code,
    }


# --- choices and what a person may do on a page ---------------------------------------------

UNIT_KINDS = ("city", "bureau", "district", "office")


def unit_choices() -> list[tuple[str, str]]:
    """The units of the platform (not divisions), for recipients and countersigning."""
    return [
        (d.code, d.name)
        for d in Department.objects.filter(kind__in=UNIT_KINDS, is_active=True).order_by("path")
    ]


def circulation_departments(item: IncomingItem, user: Any) -> list[tuple[str, str]]:
    """传阅 to a whole department: the receiving unit and its divisions, each with how many
    it would reach (active staff, not administrators, not the sender ``user``)."""
    departments = (
        Department.objects.filter(path__startswith=item.department.path, is_active=True)
        .annotate(
            people=Count(
                "staff",
                filter=Q(staff__user__is_active=True, staff__user__admin_role="")
                & ~Q(staff__user=user),
            )
        )
        .filter(people__gt=0)
        .order_by("path")
    )
    return [
        (d.code, _("%(unit)s (everyone, %(n)d)") % {"unit": d.name, "n": d.people})
        for d in departments
    ]


def countersign_codes(document: Document) -> list[str]:
    """The codes of the units chosen to countersign (会签单位): the variable of the document's
    process, as the countersign step will read it."""
    variables = (
        ProcessInstance.objects.filter(pk=document.instance_id)
        .values_list("variables", flat=True)
        .first()
        if document.instance_id
        else None
    )
    codes = (variables or {}).get("countersign_departments")
    return [str(c) for c in codes] if isinstance(codes, list) else []


def countersign_open(document: Document) -> bool:
    """Whether the countersigning units may still change: until 会签 begins."""
    return document.stage in services.COUNTERSIGN_CHANGES_UNTIL


def countersign_units(document: Document) -> list[Department]:
    """The countersigning units, in the order chosen (for the document's page)."""
    codes = countersign_codes(document)
    found = {d.code: d for d in Department.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def handling_choices(item: IncomingItem) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """批办: the host department is the receiving unit or one of its divisions; co-departments
    (协办) may also be other units of the platform."""
    inside = list(
        Department.objects.filter(path__startswith=item.department.path, is_active=True).order_by(
            "path"
        )
    )
    own = [(d.code, d.name) for d in inside]
    others = [(code, name) for code, name in unit_choices() if code not in dict(own)]
    return own, own + others


@dataclass(frozen=True)
class DocumentPermissions:
    """What a person may do on a document's page."""

    edit: bool
    withdraw: bool
    archive: bool
    is_initiator: bool


def document_permissions(
    user: Viewer, document: Document, my_steps: list[str]
) -> DocumentPermissions:
    """``my_steps``: the BPMN ids of the person's open steps on the document (from the page)."""
    instance = document.instance
    return DocumentPermissions(
        edit=any(step in ("draft", "review", "sign_off") for step in my_steps)
        and document.stage in services.EDITABLE_STEPS,
        withdraw=instance is not None and workflow.may_withdraw(user, instance),
        archive=document.stage in (Stage.ISSUED, Stage.REGISTERED)
        and not document.record_code
        and policy.can(
            user, Action.ARCHIVE_RECORDS, document.issuing_department or document.department
        ),
        is_initiator=instance is not None and instance.initiator_id == user.pk,
    )


@dataclass(frozen=True)
class IncomingPermissions:
    """What a person may do on an incoming document's page."""

    receive: bool
    circulate: bool
    archive: bool
    is_initiator: bool


def incoming_permissions(user: Viewer, item: IncomingItem) -> IncomingPermissions:
    return IncomingPermissions(
        receive=item.status == IncomingStatus.AWAITING
        and policy.can(user, Action.RECEIVE_DOCUMENTS, item.department),
        circulate=item.status not in (IncomingStatus.AWAITING, IncomingStatus.RETURNED),
        archive=item.status == IncomingStatus.COMPLETED
        and not item.record_code
        and policy.can(user, Action.ARCHIVE_RECORDS, item.department),
        is_initiator=item.instance is not None and item.instance.initiator_id == user.pk,
    )


def may_draft(user: Viewer) -> bool:
    return policy.can(user, Action.DRAFT_DOCUMENTS)


def may_register_incoming(user: Viewer) -> bool:
    return policy.can(user, Action.RECEIVE_DOCUMENTS)


def open_steps_of_item(item: IncomingItem) -> list[Task]:
    """The open steps of an incoming document's own process."""
    if item.instance_id is None:
        return []
    return list(
        Task.objects.filter(instance_id=item.instance_id, status="open").select_related("assignee")
    )


def my_circulation(user: Viewer, item: IncomingItem) -> Circulation | None:
    return item.circulations.filter(reader=user).first()


INCOMING_TABS = {
    "awaiting": [IncomingStatus.AWAITING],
    "open": [
        IncomingStatus.RECEIVED,
        IncomingStatus.REGISTERED,
        IncomingStatus.PROPOSED,
        IncomingStatus.HANDLING,
    ],
    "done": [IncomingStatus.COMPLETED, IncomingStatus.RETURNED, IncomingStatus.CANCELLED],
}


def incoming_tab_counts(user: Viewer) -> dict[str, int]:
    return {
        key: incoming_register(user).filter(status__in=statuses).count()
        for key, statuses in INCOMING_TABS.items()
    }


def attachment_content(
    user: Viewer, document_id: int, attachment_id: int
) -> tuple[bytes, str] | None:
    """An attachment of a document the person may see: its bytes and file name."""
    from tongban.core import files

    document = document_for(user, document_id)
    attachment = document.attachments.select_related("file").filter(pk=attachment_id).first()
    if attachment is None:
        return None
    with files.open_file(attachment.file.sha256) as handle:
        content = handle.read()
    return content, attachment.filename or attachment.title
