"""A platform CA, a department seal and its keeper with a second factor."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tongban.identity import services as identity
from tongban.seals import pdf, pki, services

PASSPHRASE = "Root-Passphrase-2026!"
KEEPER_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"


@pytest.fixture
def ca(db: Any) -> dict[str, str]:
    return services.init_ca(PASSPHRASE)


@pytest.fixture
def seal(ca: Any, secadmin: Any, make_staff: Any) -> dict[str, Any]:
    """财政局's seal certificate, its keeper (TOTP set up) and a clerk of the same bureau."""
    certificate = services.issue_certificate(secadmin, kind="seal", department_code="FIN")
    keeper = make_staff("fin", "seal.keeper", role="seal_keeper").user
    identity.set_totp_secret(keeper, KEEPER_SECRET)
    clerk = make_staff("fin", "seal.clerk").user
    return {"certificate": certificate, "keeper": keeper, "clerk": clerk}


def code() -> str:
    return pyotp.TOTP(KEEPER_SECRET).now()


@pytest.fixture
def document() -> bytes:
    return pdf.text_document(3, "Notice 2026-1")


def trust_store(folder: Path) -> Path:
    """An NSS store that trusts the platform's root, as an operator sets it up for pdfsig."""
    folder.mkdir()
    root = folder.parent / "root.pem"
    root.write_bytes(pki.pem(services.root_certificate()))
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    subprocess.run(
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{folder}",
            "-n",
            "root",
            "-t",
            "CT,C,C",
            "-a",
            "-i",
            str(root),
        ],
        check=True,
    )
    return folder
