"""Seals per second and verifications per second on a 10-page A4 PDF (bench/results/seals.json).

Sealing is measured as ``seals.services.seal_bytes``: the visible seal, the QR code, the PAdES
signature and the platform TSA's timestamp — everything after the permission and one-time-code
checks (a code is good once, so the service itself cannot be called in a loop). Verification is
the whole public service (``verify_pdf``: pyHanko's validator, the diff analysis, the certificate
lookup). Baseline in the same run: one raw ECDSA P-256 signature and its verification over the
SHA-256 of the same file, the cryptographic floor of both.
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_in_temp_home, report


def rate(fn: object, n: int) -> tuple[float, float]:
    """Calls per second, and the median seconds of one call."""
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - t0)
    return n / sum(samples), statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 10 if args.quick else 100
    django_in_temp_home()

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from tongban.identity.models import User
    from tongban.org import services as org
    from tongban.seals import pdf, pki, services

    admin = User.objects.create(username="bench-sec", display_name="安全", admin_role="security")
    org.create_department(
        User.objects.create(username="bench-sys", admin_role="system"),
        code="BENCH", name="示范市基准局", kind="bureau",
    )  # fmt: skip
    services.init_ca("Bench-Root-Passphrase-2026")
    certificate = services.issue_certificate(admin, kind="seal", department_code="BENCH")
    document = pdf.text_document(10, "Benchmark notice")
    sealed = services.seal_bytes(certificate, document, token="bench", page=10)
    assert services.verify_pdf(sealed).ok

    sign_rate, sign_median = rate(
        lambda: services.seal_bytes(
            certificate, document, token=secrets.token_urlsafe(16), page=10
        ),
        n,
    )
    verify_rate, verify_median = rate(lambda: services.verify_pdf(sealed), n)

    key = pki.new_key()
    digest = hashlib.sha256(document).digest()
    signature = key.sign(digest, ec.ECDSA(hashes.SHA256()))
    raw_n = n * 20
    raw_sign_rate, _ = rate(
        lambda: key.sign(hashlib.sha256(document).digest(), ec.ECDSA(hashes.SHA256())), raw_n
    )
    raw_verify_rate, _ = rate(
        lambda: key.public_key().verify(
            signature, hashlib.sha256(document).digest(), ec.ECDSA(hashes.SHA256())
        ),
        raw_n,
    )
    report(
        "seals",
        {
            "quick": args.quick,
            "document": {"pages": 10, "bytes": len(document), "sealed_bytes": len(sealed)},
            "seal": {"per_s": round(sign_rate, 2), "median_ms": round(sign_median * 1000, 1)},
            "verify": {"per_s": round(verify_rate, 2), "median_ms": round(verify_median * 1000, 1)},
            "baseline_raw_ecdsa": {
                "sign_per_s": round(raw_sign_rate, 1),
                "verify_per_s": round(raw_verify_rate, 1),
            },
            "ratio_seal_to_raw_sign": round(sign_rate / raw_sign_rate, 4),
            "ratio_verify_to_raw_verify": round(verify_rate / raw_verify_rate, 4),
        },
    )


if __name__ == "__main__":
    main()
