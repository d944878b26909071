"""Gap-free numbering: sequential, nothing consumed by a rollback, unique under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from tongban.core import numbering
from tongban.core.models import NumberSequence


class Abort(Exception):
    """The work that took a number failed."""


@pytest.mark.django_db
def test_values_are_sequential_per_key():
    with transaction.atomic():
        assert [numbering.next_value("doc:苏政办发:2026") for _ in range(3)] == [1, 2, 3]
        assert numbering.next_value("doc:苏政发:2026") == 1
    with transaction.atomic():
        assert numbering.next_value("doc:苏政办发:2026") == 4
    assert numbering.peek("doc:苏政办发:2026") == 4
    assert numbering.peek("doc:苏政发:2026") == 1
    assert numbering.peek("doc:never-used") == 0
    assert not NumberSequence.objects.filter(key="doc:never-used").exists()


@pytest.mark.django_db
def test_rollback_consumes_no_number():
    with transaction.atomic():
        assert numbering.next_value("accept:2026") == 1
    with pytest.raises(Abort), transaction.atomic():
        assert numbering.next_value("accept:2026") == 2
        raise Abort("the sign-off failed")
    assert numbering.peek("accept:2026") == 1
    with transaction.atomic():
        assert numbering.next_value("accept:2026") == 2


@pytest.mark.django_db
def test_rolling_back_the_first_use_forgets_the_key():
    with pytest.raises(Abort), transaction.atomic():
        assert numbering.next_value("accept:new") == 1
        raise Abort
    assert not NumberSequence.objects.filter(key="accept:new").exists()
    with transaction.atomic():
        assert numbering.next_value("accept:new") == 1


@pytest.mark.django_db
@settings(max_examples=30, deadline=None)
@given(outcomes=st.lists(st.booleans(), min_size=1, max_size=20))
def test_committed_numbers_are_always_one_to_n(outcomes):
    """Whatever mix of commits and rollbacks, the committed numbers are exactly 1..n."""
    with transaction.atomic():
        key = "prop:gap-free"
        NumberSequence.objects.filter(key=key).delete()
        committed: list[int] = []
        for commit in outcomes:
            try:
                with transaction.atomic():
                    value = numbering.next_value(key)
                    if not commit:
                        raise Abort
                committed.append(value)
            except Abort:
                pass
        assert committed == list(range(1, len(committed) + 1))
        assert numbering.peek(key) == len(committed)
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "   ", "k" * 101])
def test_bad_keys_are_refused(key):
    with pytest.raises(ValueError), transaction.atomic():
        numbering.next_value(key)
    with pytest.raises(ValueError):
        numbering.peek(key)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_transaction_is_refused():
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match=r"transaction\.atomic"):
        numbering.next_value("accept:2026")
    assert not NumberSequence.objects.exists()


def test_document_numbers_follow_gb_t_9704():
    assert numbering.format_document_number("苏政办发", 2002, 126) == "苏政办发〔2002〕126号"
    assert numbering.format_document_number(" 示政发 ", 2026, 7) == "示政发〔2026〕7号"  # no 007
    for code, year, serial in [("", 2026, 1), ("示政发", 26, 1), ("示政发", 2026, 0)]:
        with pytest.raises(ValueError):
            numbering.format_document_number(code, year, serial)


@given(
    code=st.text(
        alphabet=st.characters(whitelist_categories=("Lo", "Lu")), min_size=1, max_size=10
    ),
    year=st.integers(1000, 9999),
    serial=st.integers(1, 999_999),
)
def test_document_numbers_read_back_as_written(code, year, serial):
    text = numbering.format_document_number(code, year, serial)
    assert numbering.parse_document_number(text) == (code, year, serial)


def test_loose_document_numbers_are_not_parsed():
    for text in [
        "示政发[2026]7号",
        "示政发〔2026〕07号",
        "示政发〔26〕7号",
        "〔2026〕7号",
        "示政发〔2026〕第7号",
        "",
    ]:
        assert numbering.parse_document_number(text) is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_threads_get_every_number_once():
    if connection.vendor != "postgresql":
        pytest.skip(
            "threads need a multi-connection database server; the proof runs in the "
            "PostgreSQL suite (make test-postgres, and CI)"
        )
    key, threads_n, per_thread = "doc:concurrency:2026", 8, 25
    committed: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_n)

    def worker(index: int) -> None:
        try:
            barrier.wait()  # all start together: they race to create the row, too
            done = attempt = 0
            while done < per_thread:
                attempt += 1
                try:
                    with transaction.atomic():
                        value = numbering.next_value(key)
                        if (attempt + index) % 7 == 0:
                            raise Abort  # a failed transaction gives its number back
                except Abort:
                    continue
                with lock:
                    committed.append(value)
                done += 1
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    total = threads_n * per_thread
    assert len(committed) == total
    assert sorted(committed) == list(range(1, total + 1))  # no duplicate, no gap
    assert numbering.peek(key) == total
