"""The processing slip (处理笺): every step and opinion of a document's process, in order, as a
page and as a PDF (发文稿纸 for outgoing documents, 收文处理笺 for incoming ones)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.documents import rendering
from tongban.documents.models import Document, IncomingItem, RecipientKind
from tongban.documents.types import CLASSIFICATION_MARKS
from tongban.org.models import Staff
from tongban.workflow.models import HistoryEvent

# History actions that belong on a slip (claims and releases are not opinions).
SLIP_ACTIONS = (
    "start",
    "complete",
    "return",
    "withdraw",
    "transfer",
    "add_signer",
    "terminate",
    "escalate",
)


@dataclass
class SlipLine:
    step: str
    action: str
    person: str
    department: str
    opinion: str
    at: datetime | None
    detail: str = ""  # to whom a step was handed or who was added (→ 王海燕, + 黄伟)


def lines(instance_id: int | None) -> list[SlipLine]:
    if instance_id is None:
        return []
    events = list(
        HistoryEvent.objects.filter(instance_id=instance_id, action__in=SLIP_ACTIONS)
        .select_related("actor", "task")
        .order_by("at", "id")
    )
    departments = dict(
        Staff.objects.filter(user_id__in={e.actor_id for e in events if e.actor_id}).values_list(
            "user_id", "department__name"
        )
    )
    out = []
    for event in events:
        step = event.step_name
        if event.task is not None and event.task.context_label:
            # "会签 · 示范市教育局": an added signer's step already ends in "（加签）".
            step = f"{step} · {event.task.context_label}"
        out.append(
            SlipLine(
                step=step,
                action=event.action_label,
                person=event.actor.display_name if event.actor else _("the platform"),
                department=departments.get(event.actor_id, "") if event.actor_id else "",
                opinion=event.opinion,
                at=timezone.localtime(event.at),
                detail=event.detail,
            )
        )
    return out


def _entries(instance_id: int | None) -> list[rendering.SlipEntry]:
    return [
        rendering.SlipEntry(
            step=line.step,
            person=line.person,
            department=line.department,
            opinion=" ".join(part for part in (line.detail, line.opinion) if part),
            at=line.at,
        )
        for line in lines(instance_id)
    ]


def slip_pdf(document: Document) -> bytes:
    """发文稿纸: the document's header data and every opinion in order."""
    fields = [
        ("文号", document.doc_number or "—"),
        ("文种", document.doc_type),
        (
            "密级",
            CLASSIFICATION_MARKS.get(document.classification, "—")
            + (f"★{document.secrecy_period}" if document.secrecy_period else ""),
        ),
        ("紧急程度", document.urgency or "—"),
        ("拟稿单位", document.department.name),
        ("拟稿人", document.drafter.display_name if document.drafter else "—"),
        (
            "主送",
            "，".join(r.name for r in document.recipients.all() if r.kind == RecipientKind.MAIN)
            or "—",
        ),
        (
            "抄送",
            "，".join(r.name for r in document.recipients.all() if r.kind == RecipientKind.COPY)
            or "—",
        ),
        ("签发人", "、".join(document.signers) or "—"),
        ("份数", str(document.copies or "—")),
    ]
    return rendering.render_slip(
        rendering.ProcessingSlip(
            title=document.title,
            kind="发文稿纸",
            fields=fields,
            entries=_entries(document.instance_id),
        )
    )


def incoming_slip_pdf(item: IncomingItem) -> bytes:
    """收文处理笺: the receipt data, 拟办, 批办, 承办 and every other opinion in order."""
    document = item.document
    fields = [
        ("收文编号", item.receipt_number or "—"),
        ("来文机关", document.issuing_authority or "—"),
        ("来文字号", document.doc_number or "—"),
        ("密级", CLASSIFICATION_MARKS.get(document.classification, "—")),
        ("紧急程度", document.urgency or "—"),
        ("签收时间", item.received_at.strftime("%Y-%m-%d %H:%M") if item.received_at else "—"),
        ("主办", item.host_department.name if item.host_department else "—"),
        ("协办", "、".join(d.name for d in item.co_departments.all()) or "—"),
        ("办理时限", item.due_on.isoformat() if item.due_on else "—"),
    ]
    return rendering.render_slip(
        rendering.ProcessingSlip(
            title=document.title,
            kind="收文处理笺",
            fields=fields,
            entries=_entries(item.instance_id),
        )
    )
