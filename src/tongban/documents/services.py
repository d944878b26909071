"""Official documents (公文): drafting, the outgoing process (发文), sealing, distribution, PDFs,
export and archiving. Every change checks permission, runs in one transaction and is audited.

The outgoing process is the shipped BPMN ``outgoing_document`` (拟稿 → 核稿 → 会签 → 签发 → 编号
→ 用印 → 分发); each step's own work happens in ``OutgoingSteps.before_complete`` (see
``tongban.workflow.hooks``), so the generic task API and the document pages follow one path:

* 拟稿: the draft must have a type, a title, a body and a main recipient;
* 核稿: ``approved`` (default yes) decides between going on and going back to the drafter;
* 签发: the signer is recorded, 成文日期 is the day of sign-off and the document number (发文字号)
  is taken, gap-free per issuing code and year, in the same transaction — so a document that is
  withdrawn or sent back before sign-off never consumes one, and a number once taken is never
  given to another document;
* 编号: the registration (份数, 印发日期) and the official PDF in the GB/T 9704 layout;
* 用印: only after the seal keeper sealed that PDF (``apply_seal``);
* 分发: every platform department among 主送 and 抄送 finds it in its incoming register at once.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongban.audit.services import record, record_denied
from tongban.core import files, numbering
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.core.models import StoredFile
from tongban.core.permissions import Action, Classification
from tongban.documents import indexing, rendering, selectors
from tongban.documents.models import (
    OUTGOING_STEPS,
    Attachment,
    Document,
    DocumentVersion,
    IncomingItem,
    IncomingStatus,
    Origin,
    Recipient,
    RecipientKind,
    Stage,
)
from tongban.documents.types import (
    CLASSIFICATION_MARKS,
    UPWARD_TYPES,
    DocumentType,
    Retention,
    Urgency,
)
from tongban.identity.models import User
from tongban.notifications import services as notifications
from tongban.org import policy
from tongban.org.models import Department, Role, Staff
from tongban.seals import services as seals
from tongban.workflow import hooks, performers
from tongban.workflow import selectors as workflow_selectors
from tongban.workflow import services as workflow
from tongban.workflow.models import InstanceStatus, ProcessInstance, Task, TaskStatus

OUTGOING = "documents.outgoing"
INCOMING = "documents.incoming"
OUTGOING_PROCESS = "outgoing_document"
MAX_TITLE = 300
MAX_BODY = 200_000
# An imported document keeps the whole text of its file (a 转发 notice with the forwarded text,
# a 200-page plan): its body may be far longer than a draft's.
MAX_IMPORTED_BODY = 20_000_000  # any text a file of at most 20 MB can hold
MAX_ATTACHMENT_BYTES = 30 * 1024 * 1024
MAX_ATTACHMENTS = 30
MAX_RECIPIENTS = 200
# Steps at which the text may still change: after sign-off it is what the signer approved.
EDITABLE_STEPS = frozenset({Stage.DRAFT, Stage.REVIEW, Stage.SIGN_OFF})
# Steps at which the countersigning units (会签单位) may still change: until 会签 begins.
COUNTERSIGN_CHANGES_UNTIL = frozenset({Stage.DRAFT, Stage.REVIEW})
STEP_STAGE = {stage.value: stage for stage in Stage}


# --- input ---------------------------------------------------------------------------------


@dataclass
class RecipientIn:
    """A recipient: a platform department by code, or an outside organ by name."""

    department: str = ""
    name: str = ""


@dataclass
class DraftIn:
    """What a drafter gives (拟稿). Every field is optional when editing: None keeps the value."""

    doc_type: str | None = None
    title: str | None = None
    body: str | None = None
    main_recipients: list[RecipientIn] | None = None
    cc: list[RecipientIn] | None = None
    classification: int | None = None
    secrecy_period: str | None = None
    urgency: str | None = None
    note: str | None = None
    printer: str | None = None
    copy_number: str | None = None
    # 会签单位: bureau/district codes. Editing: None keeps them; a list replaces them, until the
    # countersign begins (``COUNTERSIGN_CHANGES_UNTIL``).
    countersign_departments: list[str] | None = None


def _text(value: str | None, name: str, limit: int, *, required: bool = False) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise InvalidInput(_("This field is required."), field=name)
    if len(text) > limit:
        raise InvalidInput(
            _("At most %(n)d characters, this has %(m)d.") % {"n": limit, "m": len(text)},
            field=name,
        )
    if "\x00" in text:
        raise InvalidInput(_("This text contains a NUL character."), field=name)
    return text


def _recipients(items: list[RecipientIn] | None, name: str) -> list[tuple[Department | None, str]]:
    out: list[tuple[Department | None, str]] = []
    seen: set[str] = set()
    for item in items or []:
        code = (item.department or "").strip()
        if code:
            department = Department.objects.filter(code__iexact=code, is_active=True).first()
            if department is None:
                raise InvalidInput(
                    _("No active department with the code “%(code)s”.") % {"code": code},
                    field=name,
                )
            key = f"d:{department.pk}"
            label = department.name
        else:
            label = _text(item.name, name, 200)
            if not label:
                continue
            department, key = None, f"n:{label}"
        if key not in seen:
            seen.add(key)
            out.append((department, label))
    if len(out) > MAX_RECIPIENTS:
        raise InvalidInput(_("At most %(n)d recipients.") % {"n": MAX_RECIPIENTS}, field=name)
    return out


def _countersign(codes: list[str], issuing: Department) -> list[str]:
    out: list[str] = []
    for code in codes or []:
        department = Department.objects.filter(code__iexact=(code or "").strip()).first()
        if department is None or department.kind not in ("city", "bureau", "district"):
            raise InvalidInput(
                _("Countersign is by a bureau or district; “%(code)s” is not one.")
                % {"code": code},
                field="countersign_departments",
            )
        if department.pk == issuing.pk:
            raise InvalidInput(
                _("The issuing unit does not countersign its own document."),
                field="countersign_departments",
            )
        if department.code not in out:
            out.append(department.code)
    if len(out) > 30:
        raise InvalidInput(_("At most 30 countersigning units."), field="countersign_departments")
    return out


class _Operator:
    """Stands for the installation's operator, who may mark any classification."""

    clearance = max(Classification.values)


_OPERATOR = _Operator()


def _clean_choices(actor: Any, data: DraftIn, document: Document) -> dict[str, Any]:
    """The scalar fields of ``data`` that are given, checked."""
    changes: dict[str, Any] = {}
    if data.doc_type is not None:
        if data.doc_type not in DocumentType.values:
            raise InvalidInput(_("Choose one of the 15 document types."), field="doc_type")
        changes["doc_type"] = data.doc_type
    if data.title is not None:
        changes["title"] = _text(data.title, "title", MAX_TITLE, required=True)
    if data.body is not None:
        changes["body"] = _text(data.body, "body", MAX_BODY)
    if data.classification is not None:
        if data.classification not in Classification.values:
            raise InvalidInput(_("Not a classification level."), field="classification")
        if data.classification > actor.clearance:
            raise InvalidInput(
                _("You cannot mark a document above your own clearance."), field="classification"
            )
        changes["classification"] = data.classification
    if data.secrecy_period is not None:
        changes["secrecy_period"] = _text(data.secrecy_period, "secrecy_period", 20)
    if data.urgency is not None:
        if data.urgency not in Urgency.values:
            raise InvalidInput(_("Urgency is 特急, 加急 or none."), field="urgency")
        changes["urgency"] = data.urgency
    if data.note is not None:
        changes["note"] = _text(data.note, "note", 300)
    if data.printer is not None:
        changes["printer"] = _text(data.printer, "printer", 200)
    if data.copy_number is not None:
        copy = _text(data.copy_number, "copy_number", 6)
        if copy and not copy.isdigit():
            raise InvalidInput(
                _("The copy number (份号) is up to six digits."), field="copy_number"
            )
        changes["copy_number"] = copy
    level = changes.get("classification", document.classification)
    period = changes.get("secrecy_period", document.secrecy_period)
    if period and level not in CLASSIFICATION_MARKS:
        raise InvalidInput(
            _("A secrecy period goes with 秘密, 机密 or 绝密 only."), field="secrecy_period"
        )
    return changes


# --- helpers ---------------------------------------------------------------------------------


def staff_department(actor: User) -> Department:
    staff = Staff.objects.select_related("department__parent").filter(user=actor).first()
    if staff is None or actor.is_admin or not actor.is_active:
        raise Forbidden(_("Only staff members of a department work with documents."))
    return staff.department


def _locked(document_id: int) -> Document:
    document = (
        Document.objects.select_for_update(of=("self",))
        .select_related("issuing_department", "department", "instance")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        raise NotFound()
    return document


def _open_tasks_of(actor: User, document: Document) -> list[Task]:
    """The actor's open tasks (assigned, claimable or delegated) on the document's process."""
    if document.instance_id is None:
        return []
    return list(workflow_selectors.todo(actor).filter(instance_id=document.instance_id))


def _summary(document: Document) -> dict[str, Any]:
    return {
        "title": document.title[:200],
        "type": document.doc_type,
        "number": document.doc_number,
        "stage": document.stage,
        "classification": document.classification,
        "version": document.version,
    }


def _recipient_text(document: Document, kind: str) -> str:
    names = [r.name for r in document.recipients.all() if r.kind == kind]
    return "，".join(names)


def _main_recipients_line(document: Document) -> str:
    text = _recipient_text(document, RecipientKind.MAIN)
    return f"{text}：" if text else ""


def _set_recipients(
    document: Document, kind: str, items: list[tuple[Department | None, str]]
) -> None:
    document.recipients.filter(kind=kind).delete()
    Recipient.objects.bulk_create(
        [
            Recipient(document=document, kind=kind, department=dept, name=name, order=i)
            for i, (dept, name) in enumerate(items)
        ]
    )


def _save_version(document: Document, actor: User | None, step: str) -> DocumentVersion:
    number = (document.versions.order_by("-number").values_list("number", flat=True).first()) or 0
    version = DocumentVersion.objects.create(
        document=document,
        number=number + 1,
        title=document.title,
        body=document.body,
        main_recipients=_recipient_text(document, RecipientKind.MAIN)[:1000],
        saved_by=actor,
        step=step[:100],
    )
    document.version = version.number
    return version


def instance_title(document: Document) -> str:
    """The title a document's process shows in inboxes, notifications and the process monitor:
    a classified document (秘密 and above) is named by its number only, so that its title does
    not reach anyone without the clearance."""
    if document.classification in CLASSIFICATION_MARKS:
        return _("Classified document No. %(id)d") % {"id": document.pk}
    return document.title[:200]


def reindex(document: Document) -> None:
    """Put the document's searchable text into the search index (same transaction)."""
    indexing.put(document)


# --- drafting (拟稿) ---------------------------------------------------------------------------


def create_draft(actor: User, data: DraftIn) -> Document:
    """Start an outgoing document (发文): the draft and its process; the draft step waits in the
    drafter's inbox."""
    department = staff_department(actor)
    if not policy.can(actor, Action.DRAFT_DOCUMENTS, department):
        record_denied("documents.document.create", obj=department, actor=actor)
        raise Forbidden(_("You may not draft documents for your department."))
    issuing = performers.bureau_of(department)
    blank = Document(classification=Classification.PUBLIC)
    changes = _clean_choices(actor, data, blank)
    if "title" not in changes:
        raise InvalidInput(_("This field is required."), field="title")
    changes.setdefault("doc_type", DocumentType.NOTICE)
    main = _recipients(data.main_recipients, "main_recipients")
    cc = _recipients(data.cc, "cc")
    countersign = _countersign(data.countersign_departments or [], issuing)
    with transaction.atomic():
        document = Document.objects.create(
            origin=Origin.DRAFTED,
            stage=Stage.DRAFT,
            department=department,
            drafter=actor,
            issuing_department=issuing,
            issuing_authority=issuing.name,
            authority_mark=issuing.name
            + ("" if changes["doc_type"] == DocumentType.LETTER else "文件"),
            signature=issuing.name,
            printer=changes.pop("printer", "") or issuing.name,
            **changes,
        )
        _set_recipients(document, RecipientKind.MAIN, main)
        _set_recipients(document, RecipientKind.COPY, cc)
        _save_version(document, actor, Stage.DRAFT)
        instance = workflow.start_instance(
            actor,
            process_key=OUTGOING_PROCESS,
            variables={
                "countersign_departments": countersign,
                "issuing_department": issuing.code,
            },
            title=instance_title(document),
            business_type=OUTGOING,
            business_id=str(document.pk),
            owned=True,
        )
        document.instance = instance
        document.save(update_fields=["instance", "version"])
        reindex(document)
        record(
            "documents.document.create",
            obj=document,
            after={**_summary(document), "countersign": countersign},
        )
    return document


def _may_edit(actor: User, document: Document) -> bool:
    """The person has the document's current step (drafter, reviewer, signer) and may read it;
    an added signer (加签) gives an opinion but does not edit."""
    if actor.clearance < document.classification:
        return False
    steps = {t.bpmn_id for t in _open_tasks_of(actor, document) if t.added_for_id is None}
    return bool(steps & {s.value for s in EDITABLE_STEPS})


def _require_editable(actor: User, document: Document, *, audit: bool) -> None:
    """``audit``: record a refusal (only outside the transaction, which would roll it back)."""
    if document.origin != Origin.DRAFTED or document.stage not in EDITABLE_STEPS:
        raise Conflict(_("After sign-off the text can no longer change."))
    if not _may_edit(actor, document):
        if audit:
            record_denied("documents.document.update", obj=document, actor=actor)
        raise Forbidden(_("Only whoever has the document's current step may edit it."))


def _visible(actor: User, document_id: int, action: str) -> Document:
    """The document an action names, when the actor may read it (``selectors.visible_documents``);
    otherwise NotFound, as for one that does not exist, so that an id reveals nothing. The attempt
    is audited as denied: call this before the action's transaction."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        raise NotFound()
    if not selectors.visible_documents(actor).filter(pk=document.pk).exists():
        record_denied(action, obj=document, actor=actor, detail="not visible")
        raise NotFound()
    return document


def _countersign_refusal(document: Document, codes: list[str] | None) -> None:
    """The countersigning units change only until 会签 begins (the countersign tasks are made
    from the list when it starts): giving them again unchanged later is no change."""
    if codes is None or document.stage in (*COUNTERSIGN_CHANGES_UNTIL, Stage.CANCELLED):
        return
    issuing = document.issuing_department or performers.bureau_of(document.department)
    if _countersign(codes, issuing) != selectors.countersign_codes(document):
        raise Conflict(
            _("Countersigning has begun: the countersigning units can no longer change."),
            field="countersign_departments",
        )


def _check_editable(actor: User, document_id: int, data: DraftIn | None = None) -> None:
    """Before the transaction: the refusal of an edit is audited."""
    document = _visible(actor, document_id, "documents.document.update")
    if data is not None and document.origin == Origin.DRAFTED:
        _countersign_refusal(document, data.countersign_departments)
    _require_editable(actor, document, audit=True)


def update_draft(actor: User, document_id: int, data: DraftIn) -> Document:
    """Edit the draft (the drafter, the reviewer or the signer while the step is theirs). A
    change of title, body or main recipients is kept as a new version."""
    _check_editable(actor, document_id, data)
    with transaction.atomic():
        document = _locked(document_id)
        _require_editable(actor, document, audit=False)
        before = _summary(document)
        changes = _clean_choices(actor, data, document)
        _countersign_refusal(document, data.countersign_departments)
        countersign = _changed_countersign(actor, document, data.countersign_departments)
        if countersign is not None:
            before["countersign"] = countersign[0]
        old_text = (document.title, document.body, _recipient_text(document, RecipientKind.MAIN))
        for name, value in changes.items():
            setattr(document, name, value)
        if data.main_recipients is not None:
            _set_recipients(
                document, RecipientKind.MAIN, _recipients(data.main_recipients, "main_recipients")
            )
        if data.cc is not None:
            _set_recipients(document, RecipientKind.COPY, _recipients(data.cc, "cc"))
        if "doc_type" in changes and document.issuing_department:
            suffix = "" if document.doc_type == DocumentType.LETTER else "文件"
            document.authority_mark = document.issuing_department.name + suffix
        new_text = (document.title, document.body, _recipient_text(document, RecipientKind.MAIN))
        if new_text != old_text:
            _save_version(document, actor, document.stage)
        document.updated_at = timezone.now()
        document.save()
        if document.instance_id and ("title" in changes or "classification" in changes):
            ProcessInstance.objects.filter(pk=document.instance_id).update(
                title=instance_title(document)
            )
        reindex(document)
        after = _summary(document)
        if countersign is not None:
            after["countersign"] = countersign[1]
        record("documents.document.update", obj=document, before=before, after=after)
    return document


def _changed_countersign(
    actor: User, document: Document, codes: list[str] | None
) -> tuple[list[str], list[str]] | None:
    """会签单位 given on an edit, checked: when they differ from the process's, they are set on
    its running instance (``workflow.set_variables``, audited there too). The units before and
    after, or None when nothing changed."""
    if codes is None or document.instance_id is None:
        return None
    issuing = document.issuing_department or performers.bureau_of(document.department)
    wanted = _countersign(codes, issuing)
    current = selectors.countersign_codes(document)
    if wanted == current:
        return None
    workflow.set_variables(
        actor, document.instance_id, {"countersign_departments": wanted}, owned=True
    )
    return current, wanted


def add_attachment(
    actor: User, document_id: int, *, filename: str, data: bytes, title: str = ""
) -> Attachment:
    """附件: a file with its title; its text (docx, pdf, txt) becomes searchable."""
    from tongban.documents import recognition

    if not data or len(data) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(_("An attachment has at most 30 MB."), field="file")
    title = _text(title or (filename.rsplit(".", 1)[0] if filename else ""), "title", 200)
    if not title:
        raise InvalidInput(_("Give the attachment a title."), field="title")
    try:
        text = recognition.extract_text(filename or "", data).text
    except recognition.UnreadableFile:
        text = ""  # an image or a spreadsheet is attached all the same; only not searchable
    _check_editable(actor, document_id)
    with transaction.atomic():
        document = _locked(document_id)
        _require_editable(actor, document, audit=False)
        if document.attachments.count() >= MAX_ATTACHMENTS:
            raise InvalidInput(
                _("At most %(n)d attachments.") % {"n": MAX_ATTACHMENTS}, field="file"
            )
        stored = files.store_bytes(data, name=filename[:255], content_type="")
        attachment = Attachment.objects.create(
            document=document,
            file=stored,
            filename=(filename or title).replace("\\", "/").rsplit("/", 1)[-1][:255],
            title=title,
            order=document.attachments.count() + 1,
            text=text[:MAX_BODY],
            added_by=actor,
        )
        reindex(document)
        record(
            "documents.attachment.add",
            obj=document,
            after={"title": title, "sha256": stored.sha256, "size": stored.size},
        )
    return attachment


def remove_attachment(actor: User, document_id: int, attachment_id: int) -> None:
    _check_editable(actor, document_id)
    with transaction.atomic():
        document = _locked(document_id)
        _require_editable(actor, document, audit=False)
        attachment = document.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise NotFound()
        attachment.delete()
        for order, item in enumerate(document.attachments.order_by("order", "id"), start=1):
            if item.order != order:
                item.order = order
                item.save(update_fields=["order"])
        reindex(document)
        record(
            "documents.attachment.remove",
            obj=document,
            before={"title": attachment.title, "sha256": attachment.file.sha256},
        )


# --- existing documents: received from outside or imported --------------------------------


def require_register(actor: User | None, origin: str, department: Department) -> None:
    """May ``actor`` register existing documents of this origin in ``department``? A refusal is
    audited: call it before the transaction that registers. ``actor`` None is the operator's
    unattended import at the command line (importing.py)."""
    if origin not in (Origin.IMPORTED, Origin.RECEIVED):
        raise InvalidInput(_("Not a kind of existing document."), field="origin")
    action = Action.IMPORT_DOCUMENTS if origin == Origin.IMPORTED else Action.RECEIVE_DOCUMENTS
    if actor is not None and not policy.can(actor, action, department):
        record_denied(f"documents.document.register_{origin}", obj=department, actor=actor)
        raise Forbidden(
            _("You may not register documents for %(unit)s.") % {"unit": department.name}
        )


def register_existing(
    actor: User | None,
    *,
    origin: str,
    department: Department,
    title: str,
    issuing_authority: str,
    doc_number: str = "",
    doc_type: str = DocumentType.NOTICE,
    date_written: date | None = None,
    classification: int = Classification.PUBLIC,
    urgency: str = "",
    body: str = "",
    main_recipients: list[str] | None = None,
    filename: str = "",
    content: bytes = b"",
    content_type: str = "",
    signature: str = "",
    text_hash: str = "",
) -> Document:
    """登记 a document that exists already (a document from outside, 外来文, or an imported one,
    存量公文) in ``department``'s collection, with its file. It is final as it is.

    An imported document is registered with what was recognised, even without an issuing
    authority (the import flags it for review, 待核对); its body is the whole text of its file.
    ``signature`` is the 署名 when it differs from the issuing authority (a joint document's
    organs); ``text_hash`` the hash by which a second import of the same text is recognised."""
    require_register(actor, origin, department)
    imported = origin == Origin.IMPORTED
    blank = Document(classification=Classification.PUBLIC)
    changes = _clean_choices(
        actor or _OPERATOR,
        DraftIn(
            doc_type=doc_type or DocumentType.NOTICE,
            title=title,
            body=None if imported else body,
            classification=classification,
            urgency=urgency or "",
        ),
        blank,
    )
    if imported:
        changes["body"] = _text(body, "body", MAX_IMPORTED_BODY)
    authority = _text(issuing_authority, "issuing_authority", 200, required=not imported)
    signed = _text(signature, "signature", 200) or authority
    number = _text(doc_number, "doc_number", 100)
    parsed = numbering.parse_document_number(number) if number else None
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(_("A file has at most 30 MB."), field="file")
    recipients = [(None, _text(n, "main_recipients", 200)) for n in (main_recipients or [])]
    with transaction.atomic():
        source = (
            files.store_bytes(content, name=filename[:255], content_type=content_type[:100])
            if content
            else None
        )
        issuing = Department.objects.filter(name=authority).first()
        document = Document.objects.create(
            origin=origin,
            stage=Stage.REGISTERED,
            department=department,
            drafter=None,
            issuing_department=issuing,
            issuing_authority=authority,
            authority_mark=authority,
            signature=signed,
            text_hash=text_hash[:64],
            doc_number=number,
            number_code=parsed[0] if parsed else "",
            number_year=parsed[1] if parsed else None,
            # The serial of an outside number is only read, not owned: the uniqueness of
            # 发文字号 is enforced for the numbers tongban gives out.
            number_serial=None,
            date_written=date_written,
            source_file=source,
            issued_at=timezone.now(),
            **changes,
        )
        _set_recipients(
            document,
            RecipientKind.MAIN,
            [
                (Department.objects.filter(name=name).first(), name)
                for _d, name in recipients
                if name
            ],
        )
        _save_version(document, actor, Stage.REGISTERED)
        document.save(update_fields=["version"])
        reindex(document)
        record(
            f"documents.document.register_{origin}",
            obj=document,
            after={**_summary(document), "file": source.sha256 if source else ""},
        )
    return document


# --- the steps of the outgoing process -------------------------------------------------------


def missing_elements(document: Document) -> list[str]:
    """What a draft still lacks before it can go to review."""
    missing = []
    if not document.title.strip():
        missing.append(_("title"))
    if not document.body.strip():
        missing.append(_("body"))
    if not document.recipients.filter(kind=RecipientKind.MAIN).exists():
        missing.append(_("main recipient"))
    return missing


def _take_number(document: Document) -> None:
    """发文字号 at sign-off: the next number of the issuing code this year, never reassigned."""
    if document.number_serial is not None:
        return
    issuing = document.issuing_department
    code = (issuing.issuing_code if issuing else "").strip()
    if not code:
        raise Conflict(
            _(
                "%(unit)s has no issuing code (机关代字); ask the system administrator to set one "
                "before documents are signed off."
            )
            % {"unit": issuing.name if issuing else "—"}
        )
    year = timezone.localdate().year
    serial = numbering.next_value(f"documents.number:{code}:{year}")
    document.number_code = code
    document.number_year = year
    document.number_serial = serial
    document.doc_number = numbering.format_document_number(code, year, serial)


def layout_of(document: Document, *, draft: bool = False) -> rendering.DocumentLayout:
    """The document's elements as the renderer takes them."""
    signers = (
        list(document.signers)
        if document.doc_type in UPWARD_TYPES and document.signers and not draft
        else []
    )
    return rendering.DocumentLayout(
        title=document.title,
        body=document.body,
        authority_mark=document.authority_mark,
        copy_number=document.copy_number,
        classification=CLASSIFICATION_MARKS.get(document.classification, ""),
        secrecy_period=document.secrecy_period,
        urgency=document.urgency,
        doc_number="" if draft else document.doc_number,
        signers=signers,
        main_recipients=_main_recipients_line(document),
        attachments=[a.title for a in document.attachments.order_by("order", "id")],
        signature=document.signature,
        date_written=None if draft else document.date_written,
        note=document.note,
        cc=_recipient_text(document, RecipientKind.COPY),
        printer=document.printer,
        print_date=None if draft else document.print_date,
        draft_watermark=draft,
    )


def _render_official(document: Document) -> None:
    result = rendering.render_document(layout_of(document))
    name = f"{document.doc_number or document.pk}.pdf"
    stored = files.store_bytes(result.pdf, name=name, content_type="application/pdf")
    document.official_pdf = stored
    document.official_layout = {
        "pages": result.pages,
        "seal_page": result.seal_page,
        "seal_x": result.seal_x,
        "seal_y": result.seal_y,
    }
    document.sealed_pdf = None
    document.seal_token = ""


def _receivers(department: Department) -> list[User]:
    """Who signs for incoming documents in a unit: holders of a role carrying
    ``documents.receive`` whose assignment reaches it."""
    roles = [
        r.code
        for r in Role.objects.all()
        if Action.RECEIVE_DOCUMENTS.value in (r.permissions or [])
    ]
    people: dict[int, User] = {}
    for role in roles:
        for user in performers.role_holders(role, department):
            people[user.pk] = user
    return list(people.values())


def _deliver(document: Document, actor: User) -> list[IncomingItem]:
    """分发: an incoming-register entry in every platform department among 主送 and 抄送, and a
    notification to those who sign for it there."""
    delivered = []
    for recipient in document.recipients.filter(department__isnull=False).select_related(
        "department"
    ):
        department = recipient.department
        assert department is not None
        item, created = IncomingItem.objects.get_or_create(
            document=document,
            department=department,
            defaults={"kind": recipient.kind, "status": IncomingStatus.AWAITING},
        )
        if not created:
            continue
        delivered.append(item)
        notifications.notify(
            _receivers(department),
            kind="document",
            title=gettext_noop("Incoming document to sign for: %(title)s"),
            params={"title": instance_title(document)},
            body=f"{document.issuing_authority} {document.doc_number}",
            obj=item,
            actor=actor,
        )
    return delivered


class OutgoingSteps:
    """The outgoing process's steps (see the module docstring)."""

    # What each step may pass to the engine; anything else a client sends is dropped, so that a
    # task completion cannot rewrite the process's variables (the countersigning units, say).
    ALLOWED = {"review": {"approved"}, "numbering": {"copies", "print_date"}}

    def authorise(self, actor: User, instance: ProcessInstance, task: Task) -> None:
        """Before the completion's transaction, so that a refusal stays in the audit trail."""
        document = Document.objects.filter(pk=int(instance.business_id)).first()
        if document is None:
            raise NotFound()
        problem = _step_refusal(actor, document, task.bpmn_id, added=task.added_for_id is not None)
        if problem:
            record_denied("documents.document.step", obj=document, actor=actor, detail=problem)
            raise Forbidden(problem)

    def visible(self, actor: User, instance: ProcessInstance) -> bool:
        return selectors.visible_documents(actor).filter(pk=int(instance.business_id)).exists()

    def check_performer(
        self, instance: ProcessInstance, task: Task, user: User, *, added: bool
    ) -> None:
        document = Document.objects.filter(pk=int(instance.business_id)).first()
        if document is None:
            raise NotFound()
        problem = _step_refusal(user, document, task.bpmn_id, added=added)
        if problem:
            raise InvalidInput(problem, field="to")

    def before_complete(self, step: hooks.Step) -> None:
        document = _locked(int(step.instance.business_id))
        bpmn_id = step.task.bpmn_id
        problem = _step_refusal(
            step.actor, document, bpmn_id, added=step.task.added_for_id is not None
        )
        if problem:
            raise Forbidden(problem)
        data = {k: v for k, v in step.data.items() if k in self.ALLOWED.get(bpmn_id, set())}
        if bpmn_id == "draft":
            missing = missing_elements(document)
            if missing:
                raise InvalidInput(
                    _("The draft cannot go on without: %(what)s.") % {"what": "、".join(missing)}
                )
        elif bpmn_id == "review":
            approved = data.get("approved", True)
            if not isinstance(approved, bool):
                raise InvalidInput(_("“approved” is true or false."), field="approved")
            data["approved"] = approved
            if not approved and not step.opinion:
                raise InvalidInput(_("Say what the drafter should change."), field="opinion")
        elif bpmn_id == "sign_off":
            _take_number(document)
            document.signed_by = step.actor
            document.signed_at = timezone.now()
            document.signers = [step.actor.display_name]
            document.date_written = timezone.localdate()
            _save_version(document, step.actor, Stage.SIGN_OFF)
            record(
                "documents.document.sign_off",
                obj=document,
                after={"number": document.doc_number, "signer": step.actor.username},
            )
        elif bpmn_id == "numbering":
            document.copies = _copies(data.pop("copies", None), document)
            document.print_date = _print_date(data.pop("print_date", None))
            _render_official(document)
        elif bpmn_id == "sealing":
            if document.sealed_pdf_id is None or not document.seal_token:
                raise Conflict(_("Apply the seal first: the seal keeper seals the official PDF."))
        elif bpmn_id == "distribution":
            delivered = _deliver(document, step.actor)
            document.issued_at = timezone.now()
            record(
                "documents.document.distribute",
                obj=document,
                after={
                    "number": document.doc_number,
                    "delivered_to": [item.department.code for item in delivered],
                    "outside": [
                        r.name for r in document.recipients.filter(department__isnull=True)
                    ],
                },
            )
        step.data = data
        document.updated_at = timezone.now()
        document.save()
        if bpmn_id == "sign_off":  # the number is searchable; no other step changes the text
            reindex(document)

    def perform_step(
        self, actor: User, task: Task, data: dict[str, Any], opinion: str
    ) -> str | None:
        """用印 is the seal keeper's: the official PDF is sealed with the one-time code, then the
        step completes (``apply_seals``)."""
        if task.bpmn_id != "sealing":
            return None
        apply_seal(
            actor, int(task.instance.business_id), otp=str(data.get("otp") or ""), opinion=opinion
        )
        return str(_("Sealed. The document goes on to distribution."))

    def completion_message(self, task: Task, outcome: str) -> str | None:
        if outcome != "moved":
            return None
        if task.bpmn_id == "sign_off":
            number = (
                Document.objects.filter(instance_id=task.instance_id)
                .values_list("doc_number", flat=True)
                .first()
            )
            if number:
                return str(
                    _("Signed off. The document's number is %(number)s.") % {"number": number}
                )
        return str(_("Done. The document has moved on."))

    def after_change(self, instance: ProcessInstance, event: str) -> None:
        document = Document.objects.filter(pk=int(instance.business_id)).first()
        if document is None:
            return
        stage = _stage_of(instance)
        if stage != document.stage:
            document.stage = stage
            if event in ("return", "withdraw", "terminate"):
                _forget_later_steps(document)
            document.save()


def _forget_later_steps(document: Document) -> None:
    """Sent back (退回, 撤回) or cancelled: what the later steps produced no longer stands. The
    official and sealed copies go (the text may change and be printed again); before sign-off
    the signer and the date go too. The number stays with the document: never given again."""
    order = [s.value for s in OUTGOING_STEPS]
    position = order.index(document.stage) if document.stage in order else len(order)
    if document.stage == Stage.CANCELLED or position <= order.index(Stage.NUMBERING):
        document.official_pdf = None
        document.official_layout = {}
    if document.stage == Stage.CANCELLED or position <= order.index(Stage.SEALING):
        document.sealed_pdf = None
        document.seal_token = ""
    if position <= order.index(Stage.SIGN_OFF):
        document.signed_by = None
        document.signed_at = None
        document.signers = []
        document.date_written = None


def _acts_as(actor: User, role: str, department: Department | None) -> bool:
    """The actor, or someone they act for (代理), holds ``role`` over ``department``."""
    if department is None:
        return False
    holders = {u.pk for u in performers.role_holders(role, department)}
    return bool(holders & workflow.acting_for(actor))


def _step_refusal(actor: User, document: Document, step: str, *, added: bool = False) -> str:
    """Why ``actor`` may not do ``step`` of ``document`` ("" when they may): the clearance for
    its classification, and for signing off the signer's role in the issuing unit (a step handed
    over keeps this rule; an added signer only gives an opinion)."""
    if actor.clearance < document.classification:
        return str(_("This document is above your clearance."))
    if (
        step == "sign_off"
        and not added
        and not _acts_as(actor, "bureau_head", document.issuing_department)
    ):
        return str(
            _("Only a head of %(unit)s signs off its documents.")
            % {"unit": document.issuing_department.name if document.issuing_department else "—"}
        )
    return ""


def _copies(value: Any, document: Document) -> int:
    if value in (None, ""):
        return max(document.recipients.count(), 1)
    if isinstance(value, bool):
        raise InvalidInput(_("The number of copies is a whole number."), field="copies")
    try:
        copies = int(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(_("The number of copies is a whole number."), field="copies") from None
    if not 1 <= copies <= 10000:
        raise InvalidInput(_("Between 1 and 10,000 copies."), field="copies")
    return copies


def _print_date(value: Any) -> date:
    if value in (None, ""):
        return timezone.localdate()
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(_("A date is written 2026-12-02."), field="print_date") from None


def _stage_of(instance: ProcessInstance) -> str:
    if instance.status == InstanceStatus.COMPLETED:
        return Stage.ISSUED
    if instance.status == InstanceStatus.TERMINATED:
        return Stage.CANCELLED
    open_steps = list(
        Task.objects.filter(instance=instance, status=TaskStatus.OPEN, added_for__isnull=True)
        .order_by("id")
        .values_list("bpmn_id", flat=True)
    )
    for bpmn_id in open_steps:
        if bpmn_id in STEP_STAGE:
            return STEP_STAGE[bpmn_id]
    return Stage.DRAFT


# --- sealing (用印) --------------------------------------------------------------------------


def _sealing_task(actor: User, document: Document) -> Task:
    task = next((t for t in _open_tasks_of(actor, document) if t.bpmn_id == "sealing"), None)
    refused = (
        document.stage != Stage.SEALING
        or document.official_pdf_id is None
        or task is None
        or actor.clearance < document.classification
    )
    if refused:
        record_denied("documents.document.seal", obj=document, actor=actor)
        raise Forbidden(_("This document is not waiting for your seal."))
    assert task is not None
    return task


def apply_seals(
    actor: User, document_ids: list[int], *, otp: str, opinion: str = ""
) -> list[Document]:
    """用印 (one document or a batch, 批量用印): the seal keeper seals each official PDF with the
    issuing unit's seal over 署名 and 成文日期 — one one-time code for the batch — and completes
    the sealing step, which sends each document on to distribution."""
    if not document_ids or len(document_ids) > seals.MAX_BATCH:
        raise InvalidInput(_("Choose the documents to seal."), field="documents")
    documents = list(
        Document.objects.select_related("issuing_department", "official_pdf").filter(
            pk__in=document_ids
        )
    )
    if len(documents) != len(set(document_ids)):
        raise NotFound()
    for document in documents:
        _visible(actor, document.pk, "documents.document.seal")
    units = {d.issuing_department_id for d in documents}
    if len(units) != 1:
        raise InvalidInput(
            _("A batch is sealed with one unit's seal: choose documents of one unit."),
            field="documents",
        )
    tasks = {d.pk: _sealing_task(actor, d) for d in documents}
    items = []
    for document in documents:
        assert document.official_pdf is not None
        data = _read(document.official_pdf)
        layout = document.official_layout or {}
        items.append(
            seals.PdfToSeal(
                data,
                page=layout.get("seal_page"),
                x=layout.get("seal_x"),
                y=layout.get("seal_y"),
                reason=_("Official seal: %(number)s") % {"number": document.doc_number},
                filename=f"{document.doc_number}.pdf",
            )
        )
    issuing = documents[0].issuing_department
    sealed = seals.sign_pdfs(actor, items, seal=issuing.code if issuing else "", otp=otp)
    out = []
    for document, (pdf_bytes, signed) in zip(documents, sealed, strict=True):
        # The sealed copy and the completed step in one transaction, and only if nothing moved
        # while the seal was made (another keeper, a step sent back, a new official copy).
        with transaction.atomic():
            locked = _locked(document.pk)
            if (
                locked.stage != Stage.SEALING
                or locked.sealed_pdf_id is not None
                or locked.official_pdf_id != document.official_pdf_id
            ):
                raise Conflict(
                    _("“%(title)s” changed while it was being sealed; it was not sealed.")
                    % {"title": locked.title}
                )
            stored = files.store_bytes(
                pdf_bytes, name=f"{locked.doc_number}.pdf", content_type="application/pdf"
            )
            locked.sealed_pdf = stored
            locked.seal_token = signed.token
            locked.save(update_fields=["sealed_pdf", "seal_token"])
            record(
                "documents.document.seal",
                obj=locked,
                after={"sha256": stored.sha256, "seal": signed.token[:8]},
            )
            workflow.complete_task(actor, tasks[document.pk].pk, opinion=opinion)
        locked.refresh_from_db()
        out.append(locked)
    return out


def apply_seal(actor: User, document_id: int, *, otp: str, opinion: str = "") -> Document:
    return apply_seals(actor, [document_id], otp=otp, opinion=opinion)[0]


# --- what can be downloaded ------------------------------------------------------------------


def _read(stored_file: StoredFile) -> bytes:
    with files.open_file(stored_file.sha256) as handle:
        return handle.read()


def pdf_of(document: Document) -> tuple[bytes, str]:
    """The sealed PDF if there is one, else the official one, else an imported PDF, else a
    rendering of the elements (a draft is marked 草稿 and has neither number nor date)."""
    name = f"{document.doc_number or document.pk}.pdf"
    for candidate in (document.sealed_pdf, document.official_pdf):
        if candidate is not None:
            return _read(candidate), name
    source = document.source_file
    if source is not None and source.content_type == "application/pdf":
        return _read(source), name
    draft = document.origin == Origin.DRAFTED
    return _rendered(layout_of(document, draft=draft)), (
        f"draft-{document.pk}.pdf" if draft else name
    )


PREVIEW_SECONDS = 3600


def _rendered(layout: rendering.DocumentLayout) -> bytes:
    """A rendering of elements that have no printed copy yet (a draft's preview), kept in the
    cache by its content: opening a draft again does not lay it out again."""
    key = (
        "documents.preview:"
        + hashlib.sha256(
            json.dumps(asdict(layout), ensure_ascii=False, sort_keys=True, default=str).encode()
        ).hexdigest()
    )
    pdf = cache.get(key)
    if pdf is None:
        pdf = rendering.render_document(layout).pdf
        cache.set(key, pdf, PREVIEW_SECONDS)
    return bytes(pdf)


def _safe_name(text: str) -> str:
    """A file name that no unpacking program reads as a path: letters, digits, CJK and - _ ( )."""
    cleaned = "".join(c if c.isalnum() or c in "-_()（）" else "_" for c in text)
    return cleaned.strip("._") or "file"


def export_package(document: Document) -> bytes:
    """For recipients outside the platform: a ZIP with the sealed PDF, the attachments, the
    document's elements as JSON and a SHA-256 list of every file."""
    if document.stage != Stage.ISSUED or document.sealed_pdf is None:
        raise Conflict(_("Only an issued, sealed document can be exported."))
    entries: list[tuple[str, bytes]] = []
    entries.append((f"{_safe_name(document.doc_number)}.pdf", _read(document.sealed_pdf)))
    for attachment in document.attachments.select_related("file").order_by("order", "id"):
        suffix = _safe_name(attachment.filename.rsplit(".", 1)[-1][:8]) or "bin"
        title = rendering.attachment_note_name(attachment.title)  # not 附件1-附件1 自评表
        name = f"附件{attachment.order}-{_safe_name(title[:60])}.{suffix}"
        entries.append((name, _read(attachment.file)))
    metadata = elements(document)
    entries.append(
        ("metadata.json", json.dumps(metadata, ensure_ascii=False, indent=2).encode("utf-8"))
    )
    manifest = "".join(
        f"{hashlib.sha256(content).hexdigest()}  {name}\n" for name, content in entries
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            archive.writestr(name, content)
        archive.writestr("manifest-sha256.txt", manifest)
    return out.getvalue()


def elements(document: Document) -> dict[str, Any]:
    """Every element of the document (GB/T 9704-2012), as the API and packages give them."""
    recipients = list(document.recipients.select_related("department"))
    return {
        "id": document.pk,
        "origin": document.origin,
        "stage": document.stage,
        "doc_type": document.doc_type,
        "copy_number": document.copy_number,
        "classification": CLASSIFICATION_MARKS.get(document.classification, ""),
        "classification_level": document.classification,
        "secrecy_period": document.secrecy_period,
        "urgency": document.urgency,
        "authority_mark": document.authority_mark,
        "issuing_authority": document.issuing_authority,
        "issuing_department": document.issuing_department.code
        if document.issuing_department
        else "",
        "doc_number": document.doc_number,
        "signers": list(document.signers),
        "title": document.title,
        "main_recipients": [
            {"department": r.department.code if r.department else "", "name": r.name}
            for r in recipients
            if r.kind == RecipientKind.MAIN
        ],
        "body": document.body,
        "attachments": [
            {
                "id": a.pk,
                "order": a.order,
                "title": a.title,
                "sha256": a.file.sha256,
                "size": a.file.size,
            }
            for a in document.attachments.select_related("file").order_by("order", "id")
        ],
        "signature": document.signature,
        "date_written": document.date_written.isoformat() if document.date_written else None,
        "sealed": bool(document.sealed_pdf_id),
        "note": document.note,
        "cc": [
            {"department": r.department.code if r.department else "", "name": r.name}
            for r in recipients
            if r.kind == RecipientKind.COPY
        ],
        "printer": document.printer,
        "print_date": document.print_date.isoformat() if document.print_date else None,
        "copies": document.copies,
        "issued_on": document.issued_at.date().isoformat() if document.issued_at else None,
        "department": document.department.code,
        "drafter": document.drafter.username if document.drafter else "",
        "version": document.version,
        "instance_id": document.instance_id,
        "record_code": document.record_code,
    }


# --- archiving (归档) ------------------------------------------------------------------------


def archive_files(
    document: Document, slip: bytes | None, slip_name: str = "发文稿纸.pdf"
) -> list[tuple[str, bytes, str]]:
    """What a record of the document holds: its PDF (sealed where there is one), the
    attachments under the names they were given, and the processing slip, named as it is titled
    (发文稿纸, or 收文处理笺 for an incoming document) like the other files of a record."""
    pdf_bytes, pdf_name = pdf_of(document)
    bundle = [(pdf_name, pdf_bytes, "main")]
    for attachment in document.attachments.select_related("file").order_by("order", "id"):
        name = attachment.filename or attachment.title
        bundle.append((name, _read(attachment.file), "attachment"))
    if slip is not None:
        bundle.append((slip_name, slip, "processing_slip"))
    return bundle


def archive_document(actor: User, document_id: int, *, retention: str) -> Document:
    """归档 a finished document into the records of its unit: the PDF (sealed where there is
    one), the attachments and the processing slip, with the catalogue data (DA/T 22-2015)."""
    from tongban.documents import slips
    from tongban.records import services as records

    if retention not in Retention.values:
        raise InvalidInput(_("Choose a retention period."), field="retention")
    _visible(actor, document_id, "documents.document.archive")
    document = (
        Document.objects.select_related(
            "department", "issuing_department", "sealed_pdf", "official_pdf", "source_file"
        )
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        raise NotFound()
    if document.stage not in (Stage.ISSUED, Stage.REGISTERED):
        raise Conflict(_("Only an issued or registered document can be archived."))
    if document.record_code:
        raise Conflict(
            _("This document is already archived as %(code)s.") % {"code": document.record_code}
        )
    bundle = archive_files(document, slips.slip_pdf(document) if document.instance_id else None)
    # An outgoing document goes to the records of the unit that issued it; one received from
    # outside or imported to those of the unit that registered it.
    owner = (
        (document.issuing_department or document.department)
        if document.origin == Origin.DRAFTED
        else document.department
    )
    # Checked (and a refusal audited) before the transaction that would roll the audit back.
    records.require_archive(actor, owner, document.classification, what=document.title)
    with transaction.atomic():
        locked = _locked(document.pk)
        if locked.record_code:
            raise Conflict(
                _("This document is already archived as %(code)s.") % {"code": locked.record_code}
            )
        entry = records.archive(
            actor,
            source_type="documents.document",
            source_id=str(document.pk),
            department=owner,
            title=document.title,
            doc_number=document.doc_number,
            responsible=document.issuing_authority or owner.name,
            date=document.date_written or timezone.localdate(),
            classification=document.classification,
            retention=retention,
            files=bundle,
            metadata=elements(document),
        )
        locked.record_code = entry.archival_code
        locked.save(update_fields=["record_code"])
        record("documents.document.archive", obj=locked, after={"record": entry.archival_code})
    return locked


def withdraw_after_disposal(source_id: str) -> None:
    """The document's record was destroyed after appraisal (销毁, approved by a second person):
    the document's content goes with it — its files, attachments, text and search entry — and
    its register line stays with the stage "destroyed". Called by records in the approval's
    transaction, which is audited there."""
    document = Document.objects.select_for_update().filter(pk=int(source_id)).first()
    if document is None:
        return
    document.attachments.all().delete()
    document.versions.all().delete()
    document.sealed_pdf = None
    document.official_pdf = None
    document.source_file = None
    document.official_layout = {}
    document.body = ""
    document.stage = Stage.DISPOSED
    document.save()
    indexing.remove(document.pk)
