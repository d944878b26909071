"""Writing to the audit trail and verifying it. Every state change in tongban calls ``record``
inside the transaction that makes the change, so the two commit or roll back together."""

from __future__ import annotations

import hmac
import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from tongban.audit import chain
from tongban.audit.context import actor_fields, current
from tongban.audit.models import AuditEntry, AuditHead, Outcome
from tongban.core import labels

MAX_SUMMARY_CHARS = 4000


def _json_safe(value: Any) -> Any:
    """Round-trip through JSON so that what is hashed is exactly what the database returns."""
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    if len(text) > MAX_SUMMARY_CHARS:
        return {"truncated": text[:MAX_SUMMARY_CHARS]}
    return json.loads(text)


@dataclass(frozen=True)
class RecordedEntry:
    """What ``record`` wrote (a light value: building a model instance costs more than the insert)."""

    pk: int
    seq: int
    action: str
    outcome: str
    actor_username: str
    entry_hash: str


def _cursor() -> Any:
    """On SQLite, the driver's own cursor: the append runs inside every state change, and
    Django's cursor wrapper costs as much as the statements themselves (bench/audit.py)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.cursor()
    return connection.cursor()


_INSERT_COLUMNS = (*chain.HASHED_FIELDS, "entry_hash")
_SQL_CACHE: dict[str, dict[str, Any]] = {}


def _sql() -> dict[str, Any]:
    """The three statements of an append, built once per database vendor."""
    # Only our own quoted table and column names go into these strings; values are parameters.
    vendor = connection.vendor
    if vendor not in _SQL_CACHE:
        q = connection.ops.quote_name
        entries, head = q(AuditEntry._meta.db_table), q(AuditHead._meta.db_table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        mark = "?" if vendor == "sqlite" else "%s"  # the raw sqlite3 cursor takes qmark style
        _SQL_CACHE[vendor] = {
            "head": f"SELECT {q('seq')}, {q('entry_hash')} FROM {head} WHERE {q('id')} = 1{lock}",  # noqa: S608
            "insert": (
                f"INSERT INTO {entries} ({', '.join(q(c) for c in _INSERT_COLUMNS)}) "  # noqa: S608
                f"VALUES ({', '.join([mark] * len(_INSERT_COLUMNS))})"
            ),
            "update_head": (
                f"UPDATE {head} SET {q('seq')} = {mark}, "  # noqa: S608
                f"{q('entry_hash')} = {mark}, {q('seal')} = {mark} "
                f"WHERE {q('id')} = 1"
            ),
        }
    return _SQL_CACHE[vendor]


def record(
    action: str,
    *,
    obj: Any = None,
    object_type: str = "",
    object_id: str | int | None = None,
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    outcome: str = Outcome.SUCCESS,
    detail: str = "",
    actor: Any = None,
) -> RecordedEntry:
    """Append one entry. Actor, IP and source come from the audit context unless ``actor`` is given."""
    ctx = current()
    who = (
        actor_fields(actor)
        if actor is not None
        else {
            "actor_id": ctx.actor_id,
            "actor_username": ctx.actor_username,
        }
    )
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = obj.pk if object_id is None else object_id
        object_repr = object_repr or str(obj)
    if not labels.has_action_label(action) or not labels.has_object_type_label(object_type):
        # The auditor reads labels (core.labels): an app that records a new code names it.
        warnings.warn(
            f"audit code without a label: {action} / {object_type}",
            labels.UnlabelledCode,
            stacklevel=2,
        )
    # Inside the caller's transaction no savepoint is needed: if the entry cannot be written, the
    # change it records must not commit either.
    block = (
        transaction.atomic(savepoint=False) if connection.in_atomic_block else transaction.atomic()
    )
    with block:
        cursor = _cursor()
        # Lock the head: appends are serialised so that each entry links to the true previous one.
        # Plain SQL on purpose: this runs inside every state change (see bench/audit.py).
        sql = _sql()
        cursor.execute(sql["head"])
        head = cursor.fetchone() or (0, "")
        fields: dict[str, Any] = {
            "seq": head[0] + 1,
            "created_at": datetime.now(UTC),
            **who,
            "action": action[:100],
            "object_type": object_type[:100],
            "object_id": "" if object_id is None else str(object_id)[:64],
            "object_repr": (object_repr or "")[:200],
            "before": _json_safe(before),
            "after": _json_safe(after),
            "ip": ctx.ip[:45],
            "source": ctx.source[:20],
            "request_id": ctx.request_id[:64],
            "outcome": str(outcome),
            "detail": (detail or "")[:500],
            "prev_hash": head[1] or chain.GENESIS,
        }
        digest = chain.entry_hash(fields)
        ops = connection.ops
        params = [
            ops.adapt_json_value(fields[name], None)
            if name in ("before", "after")
            else ops.adapt_datetimefield_value(fields[name])
            if name == "created_at"
            else fields[name]
            for name in _INSERT_COLUMNS[:-1]
        ] + [digest]
        cursor.execute(sql["insert"], params)
        seal = chain.seal(fields["seq"], digest)
        cursor.execute(sql["update_head"], [fields["seq"], digest, seal])
        if cursor.rowcount == 0:  # a database migrated before the head row existed
            AuditHead.objects.create(pk=1, seq=fields["seq"], entry_hash=digest, seal=seal)
    return RecordedEntry(
        fields["seq"],
        fields["seq"],
        fields["action"],
        fields["outcome"],
        fields["actor_username"],
        digest,
    )


def record_denied(
    action: str, *, obj: Any = None, detail: str = "", **kwargs: Any
) -> RecordedEntry:
    """Record a refused attempt. Call it outside the transaction that is about to roll back."""
    return record(action, obj=obj, outcome=Outcome.DENIED, detail=detail, **kwargs)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str = ""

    def describe(self) -> str:
        if self.ok:
            return _("Audit trail intact: %(count)d entries verified.") % {"count": self.checked}
        return _("Audit trail broken at entry #%(seq)s: %(problem)s") % {
            "seq": self.bad_seq,
            "problem": self.problem,
        }


def _entry_fields(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in chain.HASHED_FIELDS}


def verify_entries(entries: Iterable[AuditEntry], head: AuditHead | None) -> VerifyResult:
    """Walk the chain in sequence order and name the first entry that does not fit."""
    expected_seq = 1
    prev_hash = chain.GENESIS
    checked = 0
    last: AuditEntry | None = None
    for entry in entries:
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                return VerifyResult(
                    False,
                    checked,
                    expected_seq,
                    _("entry is missing (deleted); the next entry present is #%(seq)d")
                    % {"seq": entry.seq},
                )
            return VerifyResult(False, checked, entry.seq, _("sequence out of order"))
        if entry.prev_hash != prev_hash:
            return VerifyResult(
                False,
                checked,
                entry.seq,
                _(
                    "does not link to the entry before it (reordered or "
                    "an earlier entry was replaced)"
                ),
            )
        if chain.entry_hash(_entry_fields(entry)) != entry.entry_hash:
            return VerifyResult(
                False, checked, entry.seq, _("content was edited after it was written")
            )
        prev_hash = entry.entry_hash
        expected_seq += 1
        checked += 1
        last = entry
    head_seq = head.seq if head else 0
    last_seq = last.seq if last else 0
    if head_seq != last_seq:
        if head_seq > last_seq:
            return VerifyResult(
                False,
                checked,
                last_seq + 1,
                _("the newest entries were deleted (the trail ended at #%(seq)d)")
                % {"seq": head_seq},
            )
        return VerifyResult(
            False, checked, head_seq + 1, _("entries were added outside the platform")
        )
    if (
        head is not None
        and last is not None
        and (
            head.entry_hash != last.entry_hash
            or not hmac.compare_digest(head.seal, chain.seal(head.seq, head.entry_hash))
        )
    ):
        return VerifyResult(
            False, checked, last_seq, _("the sealed head of the trail does not match")
        )
    return VerifyResult(True, checked)


def verify_chain() -> VerifyResult:
    """Verify the whole trail as stored now (used by ``tongban audit verify`` and the auditor UI)."""
    entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
    head = AuditHead.objects.filter(pk=1).first()
    return verify_entries(entries, head)
