"""Gap-free numbering sequences (连续编号): 发文字号, 受理编号, 档号 and the like.

A number is taken inside the transaction that uses it. The sequence row stays locked until that
transaction ends, so two transactions never get the same number, and a transaction that rolls
back gives its number back: the next one gets it (no gaps). The price is that writers of one key
take turns; keys are therefore narrow (one per issuing code per year).

Locking: ``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the settings open every transaction
with ``BEGIN IMMEDIATE`` (docs/adr/0002), which serialises writers from the start.
"""

from __future__ import annotations

import re

from django.db import connection

from tongban.core.models import NumberSequence

__all__ = ["format_document_number", "next_value", "parse_document_number", "peek"]

_KEY_MAX_LENGTH = NumberSequence._meta.get_field("key").max_length or 100


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ValueError("a sequence key must be a non-empty string")
    if len(key) > _KEY_MAX_LENGTH:
        raise ValueError(f"a sequence key has at most {_KEY_MAX_LENGTH} characters: {key!r}")
    return key


def next_value(key: str) -> int:
    """The next number of sequence ``key`` (1 for a new key).

    Must be called inside ``transaction.atomic()`` — the transaction that records the number —
    or it raises ``RuntimeError``. The row is created race-free on first use
    (``INSERT … ON CONFLICT DO NOTHING``) and locked until the transaction ends.
    """
    _check_key(key)
    if not connection.in_atomic_block:
        raise RuntimeError(
            "numbering.next_value() must run inside transaction.atomic(): a number taken "
            "outside the transaction that uses it could be lost (a gap) or reused"
        )
    locked = NumberSequence.objects.select_for_update()
    row = locked.filter(key=key).first()
    if row is None:
        # Two first users may race here: ON CONFLICT DO NOTHING makes the loser wait for the
        # winner's row (PostgreSQL) and then lock it below, without an IntegrityError.
        NumberSequence.objects.bulk_create(
            [NumberSequence(key=key, last_value=0)], ignore_conflicts=True
        )
        row = locked.get(key=key)
    row.last_value += 1
    row.save(update_fields=["last_value"])
    return row.last_value


def peek(key: str) -> int:
    """The last number handed out by sequence ``key`` and committed (0 if none). Takes no lock:
    do not use it to predict the next number."""
    _check_key(key)
    value = NumberSequence.objects.filter(key=key).values_list("last_value", flat=True).first()
    return int(value or 0)


def format_document_number(issuing_code: str, year: int, serial: int) -> str:
    """发文字号 as GB/T 9704-2012 writes it: ``苏政办发〔2026〕12号``.

    The year in hexagonal brackets 〔〕, the serial without leading zeros and without 第.
    """
    code = (issuing_code or "").strip()
    if not code:
        raise ValueError("the issuing code (机关代字) is required")
    if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999:
        raise ValueError(f"the year must have four digits: {year!r}")
    if isinstance(serial, bool) or not isinstance(serial, int) or serial < 1:
        raise ValueError(f"the serial number must be a positive integer: {serial!r}")
    return f"{code}〔{year}〕{serial}号"


_DOCUMENT_NUMBER = re.compile(
    r"^(?P<code>[^〔〕\s]{1,40})〔(?P<year>\d{4})〕(?P<serial>[1-9]\d{0,6})号$"
)


def parse_document_number(text: str) -> tuple[str, int, int] | None:
    """(issuing code, year, serial) of a 发文字号 written as ``format_document_number`` writes it,
    or None. Loose spellings ([2026], 第12号 …) are normalised by the import's recogniser first."""
    match = _DOCUMENT_NUMBER.match((text or "").strip())
    if match is None:
        return None
    return match["code"], int(match["year"]), int(match["serial"])
