"""Gap-free numbering sequences (发文字号, 受理编号): unique under concurrency, and a rolled-back
transaction consumes no number."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from tongban.core.models import NumberSequence


def next_value(key: str) -> int:
    """The next number of sequence ``key``. Call it inside the transaction that uses the number."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_value() must run inside transaction.atomic()")
    row = NumberSequence.objects.select_for_update().filter(key=key).first()
    if row is None:
        try:
            with transaction.atomic():
                NumberSequence.objects.create(key=key, last_value=0)
        except IntegrityError:
            pass  # another transaction created it first; lock theirs below
        row = NumberSequence.objects.select_for_update().get(key=key)
    row.last_value += 1
    row.save(update_fields=["last_value"])
    return row.last_value


def peek(key: str) -> int:
    """The last number handed out (0 if none)."""
    value = NumberSequence.objects.filter(key=key).values_list("last_value", flat=True).first()
    return int(value or 0)
