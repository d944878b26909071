"""Reading the audit trail: only the security auditor (安全审计员) may, and each read is itself audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from tongban.audit import services
from tongban.audit.models import AuditEntry
from tongban.core import labels
from tongban.core.errors import Forbidden
from tongban.core.permissions import Action, admin_role_allows
from tongban.core.tabular import csv_row


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    outcome: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _require(user: Any, action: str) -> None:
    if not admin_role_allows(user, action):
        services.record_denied(action, object_type="audit.auditentry", actor=user)
        raise Forbidden()


def audit_entries(user: Any, flt: AuditFilter) -> QuerySet[AuditEntry]:
    """Entries matching the filter, newest first. Raises Forbidden for anyone but the auditor."""
    _require(user, Action.VIEW_AUDIT)
    qs = AuditEntry.objects.all()
    if flt.actor:
        qs = qs.filter(actor_username=flt.actor)
    if flt.action:
        qs = qs.filter(action__startswith=flt.action)
    if flt.object_type:
        qs = qs.filter(object_type=flt.object_type)
    if flt.object_id:
        qs = qs.filter(object_id=flt.object_id)
    if flt.outcome:
        qs = qs.filter(outcome=flt.outcome)
    if flt.since:
        qs = qs.filter(created_at__gte=flt.since)
    if flt.until:
        qs = qs.filter(created_at__lt=flt.until)
    return qs.order_by("-seq")


CSV_COLUMNS = [
    "seq",
    "created_at",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "outcome",
    "ip",
    "source",
    "detail",
    "before",
    "after",
    "entry_hash",
]
# After the codes, what they are called in the exporter's language (core.labels): the codes stay
# what programs read, the labels are for the person who opens the file.
LABEL_COLUMNS = ["action_label", "object_type_label"]


def _given(flt: AuditFilter) -> dict[str, str]:
    """The filter's conditions that were given, as text (recorded with the export)."""
    return {
        name: value.isoformat() if isinstance(value, datetime) else str(value)
        for name, value in asdict(flt).items()
        if value
    }


def export_csv(user: Any, flt: AuditFilter) -> Iterator[str]:
    """Stream the filtered entries as CSV (UTF-8 with BOM so that spreadsheet programs read
    Chinese). Texts that a spreadsheet would run as a formula are neutralised (core.tabular)."""
    qs = audit_entries(user, flt)
    given = _given(flt)
    services.record(
        "audit.export",
        object_type="audit.auditentry",
        # Stored in English, translated where the trail is read; the conditions in ``after``.
        detail=gettext_noop("entries matching a filter") if given else gettext_noop("every entry"),
        after={"filter": given} if given else None,
        actor=user,
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow(CSV_COLUMNS + LABEL_COLUMNS)
    for entry in qs.iterator(chunk_size=2000):
        named = [labels.action_label(entry.action), labels.object_type_label(entry.object_type)]
        writer.writerow(csv_row([*(getattr(entry, column) for column in CSV_COLUMNS), *named]))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
    yield buffer.getvalue()


def verify_for(user: Any) -> services.VerifyResult:
    """Verify the chain on the auditor's request and record that it was done."""
    _require(user, Action.VERIFY_AUDIT)
    result = services.verify_chain()
    services.record(
        "audit.verify",
        object_type="audit.auditentry",
        outcome="success" if result.ok else "failure",
        detail=result.describe(),
        actor=user,
    )
    return result
