"""Incoming documents (收文): sign for receipt (签收), register (登记, 收文编号), proposed handling
(拟办), the leader's instruction (批办), handling by a host department with co-departments (承办),
completion (办结); circulation for reading with read receipts (传阅). Services: permission check,
one transaction, audit entry.

The steps after 签收 are the shipped BPMN ``incoming_document``; ``IncomingSteps`` does each
step's own work inside the workflow's transaction (``tongban.workflow.hooks``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongban.audit.services import record, record_denied
from tongban.core import calendar, numbering
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.core.permissions import Action
from tongban.documents import selectors, services
from tongban.documents.models import (
    Circulation,
    IncomingItem,
    IncomingStatus,
    Origin,
)
from tongban.documents.types import Retention
from tongban.identity.models import User
from tongban.notifications import services as notifications
from tongban.org import policy
from tongban.org.models import Department
from tongban.workflow import hooks, performers
from tongban.workflow import services as workflow
from tongban.workflow.models import InstanceStatus, ProcessInstance, Task, TaskStatus

INCOMING_PROCESS = "incoming_document"
MAX_HANDLING_DAYS = 365
MAX_READERS = 100


def _locked(item_id: int) -> IncomingItem:
    item = (
        IncomingItem.objects.select_for_update(of=("self",))
        .select_related("document", "department")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def _require_receiver(actor: User, item: IncomingItem, action: str) -> None:
    if not policy.can(actor, Action.RECEIVE_DOCUMENTS, item.department):
        record_denied(action, obj=item, actor=actor)
        raise Forbidden(
            _("Only those who sign for documents in %(unit)s may do this.")
            % {"unit": item.department.name}
        )


def _visible_item(actor: User, item_id: int, action: str) -> IncomingItem:
    """The register entry an action names, when the actor may open it
    (``selectors.visible_incoming``); otherwise NotFound, as for one that does not exist, so that
    an id reveals nothing. The attempt is audited: call this before the action's transaction."""
    item = IncomingItem.objects.select_related("document", "department").filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    if not selectors.visible_incoming(actor).filter(pk=item.pk).exists():
        record_denied(action, obj=item, actor=actor, detail="not visible")
        raise NotFound()
    return item


def _precheck(actor: User, item_id: int, action: str) -> None:
    """Refusals decided before the transaction, so that their audit entries stay."""
    item = _visible_item(actor, item_id, action)
    _require_receiver(actor, item, action)
    if item.document.classification > actor.clearance:
        record_denied(action, obj=item, actor=actor, detail="clearance")
        raise Forbidden(_("This document is above your clearance."))


def receive(actor: User, item_id: int) -> IncomingItem:
    """签收: sign for an incoming document. Starts its handling (登记 is the next step, yours)."""
    _precheck(actor, item_id, "documents.incoming.receive")
    with transaction.atomic():
        item = _locked(item_id)
        if item.status != IncomingStatus.AWAITING:
            raise Conflict(_("This document was already signed for or returned."))
        item.received_by = actor
        item.received_at = timezone.now()
        item.status = IncomingStatus.RECEIVED
        item.save(update_fields=["received_by", "received_at", "status"])
        instance = workflow.start_instance(
            actor,
            process_key=INCOMING_PROCESS,
            variables={"receiving_unit": item.department.code},
            title=services.instance_title(item.document),
            business_type=services.INCOMING,
            business_id=str(item.pk),
            owned=True,
        )
        item.instance = instance
        item.save(update_fields=["instance"])
        record(
            "documents.incoming.receive",
            obj=item,
            after={"document": item.document_id, "unit": item.department.code},
        )
    return item


def return_to_sender(actor: User, item_id: int, *, reason: str) -> IncomingItem:
    """初审 failed (not for us, not in order): the document goes back to its sender, unread."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the document goes back."), field="reason")
    if len(reason) > 300:
        raise InvalidInput(_("At most 300 characters."), field="reason")
    _precheck(actor, item_id, "documents.incoming.return")
    with transaction.atomic():
        item = _locked(item_id)
        if item.status != IncomingStatus.AWAITING:
            raise Conflict(_("Only a document not yet signed for can be returned."))
        item.status = IncomingStatus.RETURNED
        item.return_reason = reason
        item.save(update_fields=["status", "return_reason"])
        document = item.document
        notifications.notify(
            [u for u in (document.drafter, document.signed_by) if u is not None],
            kind="document",
            title=gettext_noop("Returned by %(unit)s: %(title)s"),
            params={"unit": item.department.name, "title": services.instance_title(document)},
            body=reason,
            obj=document,
            actor=actor,
        )
        record("documents.incoming.return", obj=item, after={"reason": reason[:200]})
    return item


# --- the steps of the incoming process -------------------------------------------------------


def _department(code: Any, name: str) -> Department:
    department = Department.objects.filter(code__iexact=str(code or "").strip()).first()
    if department is None or not department.is_active:
        raise InvalidInput(_("Choose a department of the platform."), field=name)
    return department


def _handling_days(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidInput(_("The time limit is a number of working days."), field="due_days")
    try:
        days = int(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(
            _("The time limit is a number of working days."), field="due_days"
        ) from None
    if not 1 <= days <= MAX_HANDLING_DAYS:
        raise InvalidInput(
            _("Between 1 and %(n)d working days.") % {"n": MAX_HANDLING_DAYS}, field="due_days"
        )
    return days


def _step_refusal(actor: User, item: IncomingItem, step: str, *, added: bool = False) -> str:
    """Why ``actor`` may not do ``step`` ("" when they may): the clearance, and for 批办 a head
    of the receiving unit (or someone acting for one)."""
    if actor.clearance < item.document.classification:
        return str(_("This document is above your clearance."))
    if step == "instruct" and not added:
        heads = {u.pk for u in performers.role_holders("bureau_head", item.department)}
        if not heads & workflow.acting_for(actor):
            return str(
                _("Only a head of %(unit)s gives the instruction (批办).")
                % {"unit": item.department.name}
            )
    return ""


class IncomingSteps:
    """登记 → 拟办 → (批办 → 承办) → 办结."""

    def _item(self, instance: ProcessInstance) -> IncomingItem:
        item = (
            IncomingItem.objects.select_related("document", "department")
            .filter(pk=int(instance.business_id))
            .first()
        )
        if item is None:
            raise NotFound()
        return item

    def authorise(self, actor: User, instance: ProcessInstance, task: Task) -> None:
        item = self._item(instance)
        problem = _step_refusal(actor, item, task.bpmn_id, added=task.added_for_id is not None)
        if problem:
            record_denied("documents.incoming.step", obj=item, actor=actor, detail=problem)
            raise Forbidden(problem)

    def visible(self, actor: User, instance: ProcessInstance) -> bool:
        return selectors.visible_incoming(actor).filter(pk=int(instance.business_id)).exists()

    def check_performer(
        self, instance: ProcessInstance, task: Task, user: User, *, added: bool
    ) -> None:
        problem = _step_refusal(user, self._item(instance), task.bpmn_id, added=added)
        if problem:
            raise InvalidInput(problem, field="to")

    def before_complete(self, step: hooks.Step) -> None:
        item = _locked(int(step.instance.business_id))
        bpmn_id, data, opinion = step.task.bpmn_id, step.data, step.opinion
        problem = _step_refusal(step.actor, item, bpmn_id, added=step.task.added_for_id is not None)
        if problem:
            raise Forbidden(problem)
        engine: dict[str, Any] = {}
        if bpmn_id == "register":
            if item.receipt_serial is None:
                year = timezone.localdate().year
                serial = numbering.next_value(f"documents.receipt:{item.department_id}:{year}")
                item.receipt_year, item.receipt_serial = year, serial
                item.receipt_number = f"收〔{year}〕{serial}号"
            copies = data.get("copies", item.copies_received or 1)
            try:
                item.copies_received = max(1, min(int(copies), 10000))
            except (TypeError, ValueError, OverflowError):
                raise InvalidInput(
                    _("The number of copies is a whole number."), field="copies"
                ) from None
        elif bpmn_id == "propose":
            if not opinion:
                raise InvalidInput(_("Write the proposed handling (拟办意见)."), field="opinion")
            for_handling = data.get("for_handling", True)
            if not isinstance(for_handling, bool):
                raise InvalidInput(_("“for_handling” is true or false."), field="for_handling")
            item.for_handling = for_handling
            item.proposal = opinion
            engine["for_handling"] = for_handling
        elif bpmn_id == "instruct":
            if not opinion:
                raise InvalidInput(_("Write the instruction (批办意见)."), field="opinion")
            host = _department(data.get("host_department"), "host_department")
            co_codes = data.get("co_departments") or []
            if not isinstance(co_codes, list):
                raise InvalidInput(_("Co-departments are a list of codes."), field="co_departments")
            co = []
            for code in co_codes[:20]:
                department = _department(code, "co_departments")
                if department.pk != host.pk and department not in co:
                    co.append(department)
            days = _handling_days(data.get("due_days"))
            item.host_department = host
            item.instruction = opinion
            item.due_on = calendar.add_working_days(timezone.localdate(), days)
            item.save()
            item.co_departments.set(co)
            engine["handling_departments"] = [host.code, *[d.code for d in co]]
            engine["handling_days"] = days
        elif bpmn_id == "handle":
            if not opinion:
                raise InvalidInput(_("Say how it was handled (办理结果)."), field="opinion")
        elif bpmn_id == "finish":
            item.result = opinion or item.result
            item.completed_at = timezone.now()
        step.data = engine
        item.save()

    def perform_step(
        self, actor: User, task: Task, data: dict[str, Any], opinion: str
    ) -> str | None:
        return None  # every step of the incoming process completes the usual way

    def completion_message(self, task: Task, outcome: str) -> str | None:
        return str(_("Done. The document has moved on.")) if outcome == "moved" else None

    def after_change(self, instance: ProcessInstance, event: str) -> None:
        item = IncomingItem.objects.filter(pk=int(instance.business_id)).first()
        if item is None:
            return
        status = _status_of(instance, item)
        if status != item.status:
            item.status = status
            item.save(update_fields=["status"])


def _status_of(instance: ProcessInstance, item: IncomingItem) -> str:
    if instance.status == InstanceStatus.COMPLETED:
        return IncomingStatus.COMPLETED
    if instance.status == InstanceStatus.TERMINATED:
        return IncomingStatus.CANCELLED
    steps = set(
        Task.objects.filter(instance=instance, status=TaskStatus.OPEN).values_list(
            "bpmn_id", flat=True
        )
    )
    if "register" in steps:
        return IncomingStatus.RECEIVED
    if "propose" in steps:
        return IncomingStatus.REGISTERED
    if "instruct" in steps:
        return IncomingStatus.PROPOSED
    if "handle" in steps or (item.for_handling and "finish" in steps):
        return IncomingStatus.HANDLING
    return IncomingStatus.PROPOSED


# --- circulation (传阅) ----------------------------------------------------------------------


def _may_circulate(actor: User, item: IncomingItem) -> bool:
    if policy.can(actor, Action.RECEIVE_DOCUMENTS, item.department):
        return True
    if item.instance_id is None:
        return False
    return Task.objects.filter(instance_id=item.instance_id, completed_by=actor).exists() or (
        Task.objects.filter(
            instance_id=item.instance_id, status=TaskStatus.OPEN, assignee=actor
        ).exists()
    )


@dataclass
class Circulated:
    """What 传阅 did: the new circulations, and the members of a chosen department left out
    because the document is above their clearance."""

    created: list[Circulation]
    left_out: list[User] = field(default_factory=list)


def _staff_users() -> Any:
    """Colleagues one may pass a document to: active staff accounts, never administrators."""
    return User.objects.filter(is_active=True, admin_role="", staff__isnull=False)


def readers_named(names: list[str]) -> list[User]:
    """The colleagues ``names`` give, each once, in order: a login name, or a name only one
    colleague has. ``InvalidInput`` (field ``readers``) names the first that gives nobody."""
    readers: list[User] = []
    for name in names:
        user = _staff_users().filter(username__iexact=name).first()
        if user is None:
            called = list(_staff_users().filter(display_name=name)[:2])
            if len(called) > 1:
                raise InvalidInput(
                    _("Several colleagues are called “%(name)s”: give the login name.")
                    % {"name": name},
                    field="readers",
                )
            user = called[0] if called else None
        if user is None:
            raise InvalidInput(
                _("No colleague with the login or name “%(name)s”.") % {"name": name},
                field="readers",
            )
        if user not in readers:
            readers.append(user)
    return readers


def _department_members(codes: list[str], actor: User) -> list[User]:
    """Everyone in the departments ``codes`` name (their active staff, not administrators and
    not the actor); ``InvalidInput`` (field ``departments``) for a code that names none."""
    members: list[User] = []
    for code in codes:
        department = Department.objects.filter(
            code__iexact=str(code or "").strip(), is_active=True
        ).first()
        if department is None:
            raise InvalidInput(
                _("No active department with the code “%(code)s”.") % {"code": code},
                field="departments",
            )
        people = list(
            _staff_users()
            .filter(staff__department=department)
            .exclude(pk=actor.pk)
            .order_by("username")
        )
        if not people:
            raise InvalidInput(
                _("Nobody in %(unit)s to pass it to.") % {"unit": department.name},
                field="departments",
            )
        members += [u for u in people if u not in members]
    return members


def circulate(
    actor: User,
    item_id: int,
    *,
    usernames: list[str] | None = None,
    departments: list[str] | None = None,
    note: str = "",
) -> Circulated:
    """传阅: pass the document to readers — colleagues by login name, and everyone in the chosen
    departments; each gets a notification and confirms reading. A colleague named who may not
    read it (clearance) is refused; such members of a chosen department are left out."""
    note = (note or "").strip()
    if len(note) > 300:
        raise InvalidInput(_("At most 300 characters."), field="note")
    names = [n.strip() for n in usernames or [] if n and n.strip()]
    codes = [c.strip() for c in departments or [] if c and c.strip()]
    if not names and not codes:
        raise InvalidInput(_("Choose at least one reader."), field="readers")
    named = readers_named(names)
    members = [u for u in _department_members(codes, actor) if u not in named]
    if len(named) + len(members) > MAX_READERS:
        raise InvalidInput(
            _("At most %(n)d readers at a time.") % {"n": MAX_READERS}, field="readers"
        )
    seen = _visible_item(actor, item_id, "documents.incoming.circulate")
    if not _may_circulate(actor, seen):
        record_denied("documents.incoming.circulate", obj=seen, actor=actor)
        raise Forbidden(_("You may not circulate this document."))
    with transaction.atomic():
        item = _locked(item_id)
        if item.status in (
            IncomingStatus.AWAITING,
            IncomingStatus.RETURNED,
            IncomingStatus.CANCELLED,
        ):
            raise Conflict(_("Sign for the document before circulating it."))
        level = item.document.classification
        for reader in named:
            if level > reader.clearance:
                raise InvalidInput(
                    _("%(name)s has no clearance for this document.")
                    % {"name": reader.display_name},
                    field="readers",
                )
        left_out = [u for u in members if level > u.clearance]
        created = []
        for reader in [*named, *(u for u in members if u not in left_out)]:
            circulation, new = Circulation.objects.get_or_create(
                item=item, reader=reader, defaults={"sent_by": actor, "note": note}
            )
            if new:
                created.append(circulation)
        notifications.notify(
            [c.reader for c in created],
            kind="circulate",
            title=gettext_noop("For your reading: %(title)s"),
            params={"title": services.instance_title(item.document)},
            body=note,
            obj=item,
            actor=actor,
        )
        record(
            "documents.incoming.circulate",
            obj=item,
            after={
                "readers": [c.reader.username for c in created],
                "departments": codes,
                "left_out": [u.username for u in left_out],
                "note": note[:200],
            },
        )
    return Circulated(created, left_out)


def confirm_read(actor: User, circulation_id: int, *, comment: str = "") -> Circulation:
    """The read receipt (已阅), with an optional comment; once."""
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise InvalidInput(_("At most 500 characters."), field="comment")
    with transaction.atomic():
        circulation = (
            Circulation.objects.select_for_update()
            .select_related("item")
            .filter(pk=circulation_id, reader=actor)
            .first()
        )
        if circulation is None:
            raise NotFound()
        if circulation.read_at is not None:
            raise Conflict(_("You already confirmed reading this."))
        circulation.read_at = timezone.now()
        circulation.comment = comment
        circulation.save(update_fields=["read_at", "comment"])
        record(
            "documents.incoming.read",
            obj=circulation.item,
            after={"reader": actor.username, "comment": comment[:200]},
        )
    return circulation


# --- documents from outside the platform -----------------------------------------------------


@dataclass
class ExternalIn:
    """A document received on paper or by mail from an organ outside the platform."""

    title: str
    issuing_authority: str
    doc_number: str = ""
    doc_type: str = "通知"
    date_written: date | None = None
    classification: int = 0
    urgency: str = ""
    body: str = ""
    main_recipients: list[str] = field(default_factory=list)


def register_external(
    actor: User, data: ExternalIn, *, filename: str = "", content: bytes = b""
) -> IncomingItem:
    """Register a document from outside (外来文) in the actor's unit and sign for it."""
    department = services.staff_department(actor)
    unit = performers.bureau_of(department)
    if not policy.can(actor, Action.RECEIVE_DOCUMENTS, unit):
        record_denied("documents.incoming.register_external", obj=unit, actor=actor)
        raise Forbidden(_("Only those who sign for documents in your unit may register them."))
    document = services.register_existing(
        actor,
        origin=Origin.RECEIVED,
        department=unit,
        title=data.title,
        issuing_authority=data.issuing_authority,
        doc_number=data.doc_number,
        doc_type=data.doc_type,
        date_written=data.date_written,
        classification=data.classification,
        urgency=data.urgency,
        body=data.body,
        main_recipients=data.main_recipients,
        filename=filename,
        content=content,
    )
    with transaction.atomic():
        item = IncomingItem.objects.create(
            document=document, department=unit, status=IncomingStatus.AWAITING
        )
        record("documents.incoming.arrive", obj=item, after={"document": document.pk})
    return receive(actor, item.pk)


def archive_incoming(actor: User, item_id: int, *, retention: str) -> IncomingItem:
    """归档 a handled incoming document in the receiving unit's records, with its handling slip."""
    from tongban.documents import slips
    from tongban.records import services as records

    if retention not in Retention.values:
        raise InvalidInput(_("Choose a retention period."), field="retention")
    item = _visible_item(actor, item_id, "documents.incoming.archive")
    if item.status != IncomingStatus.COMPLETED:
        raise Conflict(_("Only a completed incoming document can be archived."))
    if item.record_code:
        raise Conflict(
            _("This document is already archived as %(code)s.") % {"code": item.record_code}
        )
    document = item.document
    bundle = services.archive_files(
        document, slips.incoming_slip_pdf(item) if item.instance_id else None, "收文处理笺.pdf"
    )
    records.require_archive(actor, item.department, document.classification, what=document.title)
    with transaction.atomic():
        locked = _locked(item.pk)
        entry = records.archive(
            actor,
            source_type="documents.incoming",
            source_id=str(item.pk),
            department=item.department,
            title=document.title,
            doc_number=document.doc_number,
            responsible=document.issuing_authority or item.department.name,
            date=document.date_written or (item.received_at or timezone.now()).date(),
            classification=document.classification,
            retention=retention,
            files=bundle,
            metadata={
                **services.elements(document),
                "receipt_number": item.receipt_number,
                "received_at": item.received_at.isoformat() if item.received_at else None,
                "host_department": item.host_department.code if item.host_department else "",
                "result": item.result,
            },
        )
        locked.record_code = entry.archival_code
        locked.save(update_fields=["record_code"])
        record("documents.incoming.archive", obj=locked, after={"record": entry.archival_code})
    return locked
