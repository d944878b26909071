"""Gap-free numbering: sequential, nothing consumed by a rollback, unique under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from tongban.core import numbering


@pytest.mark.django_db
def test_values_are_sequential_per_key():
    with transaction.atomic():
        assert [numbering.next_value("doc:示政发:2026") for _ in range(3)] == [1, 2, 3]
        assert numbering.next_value("doc:示政办发:2026") == 1
    assert numbering.peek("doc:示政发:2026") == 3


@pytest.mark.django_db
def test_rollback_consumes_no_number():
    with transaction.atomic():
        numbering.next_value("accept:2026")
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering.next_value("accept:2026")
        raise RuntimeError("the sign-off failed")
    with transaction.atomic():
        assert numbering.next_value("accept:2026") == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        numbering.next_value("x")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_threads_get_every_number_once():
    if connection.vendor != "postgresql":
        pytest.skip(
            "threads need a multi-connection server; proved in the PostgreSQL suite (make test-postgres)"
        )
    key, threads_n, per_thread = "doc:concurrency:2026", 8, 25
    got: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(per_thread):
                with transaction.atomic():
                    value = numbering.next_value(key)
                with lock:
                    got.append(value)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(got) == list(range(1, threads_n * per_thread + 1))
