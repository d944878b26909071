"""Audited writes per second vs the same writes unaudited, same run, SQLite (target ratio ≥ 0.5).

Each write is one transaction that renames a department (UPDATE of one row), exactly as a
service does it; the audited variant also appends the hash-chained audit entry in the same
transaction.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_in_temp_home, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 300 if args.quick else 3000
    django_in_temp_home()

    from django.db import connection, transaction

    from tongban.audit.context import audit_context
    from tongban.audit.services import record
    from tongban.org.models import Department

    dept = Department.objects.create(code="BENCH", name="基准", kind="bureau", path="/1/")

    def unaudited(i: int) -> None:
        with transaction.atomic():
            Department.objects.filter(pk=dept.pk).update(name=f"基准{i}")

    def audited(i: int) -> None:
        with transaction.atomic():
            Department.objects.filter(pk=dept.pk).update(name=f"基准{i}")
            record(
                "org.department.update",
                object_type="org.department",
                object_id=dept.pk,
                object_repr="基准",
                before={"name": f"基准{i - 1}"},
                after={"name": f"基准{i}"},
            )

    def rate(fn) -> float:
        for i in range(20):  # warm up
            fn(i)
        start = time.perf_counter()
        for i in range(n):
            fn(i)
        return n / (time.perf_counter() - start)

    with audit_context(source="bench", ip="127.0.0.1"):
        # Alternate the two so that neither gets the warmer cache; take the best of three.
        plain_rates, audited_rates = [], []
        for _ in range(3):
            plain_rates.append(rate(unaudited))
            audited_rates.append(rate(audited))
    plain, aud = max(plain_rates), max(audited_rates)
    report(
        "audit",
        {
            "quick": args.quick,
            "database": connection.vendor,
            "writes_per_run": n,
            "audited_writes_per_s": round(aud, 1),
            "baseline_unaudited_writes_per_s": round(plain, 1),
            "ratio": round(aud / plain, 3),
            "target_ratio": 0.5,
        },
    )


if __name__ == "__main__":
    main()
