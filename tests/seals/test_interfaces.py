"""Seals through the API, the public page and the command line (the interfaces scripts use)."""

from __future__ import annotations

import io
import subprocess
import sys
import time

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from PIL import Image

from tests.conftest import PASSWORD
from tests.seals.conftest import PASSPHRASE, code
from tongban.seals import services
from tongban.seals.models import SignedDocument

pytestmark = pytest.mark.django_db


def token_client(client: Client, username: str) -> Client:
    answer = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD, "otp": code()},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    return Client(HTTP_AUTHORIZATION=f"Bearer {answer.json()['token']}", HTTP_ACCEPT_LANGUAGE="en")


def upload(document: bytes, name: str = "doc.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, document, content_type="application/pdf")


def test_seal_through_the_api_and_verify_anonymously(client, seal, document):
    keeper = token_client(client, "seal.keeper")
    refused = keeper.post("/api/v1/seals/sign", {"file": upload(document), "seal": "FIN"})
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/problem+json")
    # Signing in used this period's code; a code is good once, so sign in the next period.
    with time_machine.travel(time.time() + 30, tick=True):
        sealed = keeper.post(
            "/api/v1/seals/sign",
            {"file": upload(document), "seal": "FIN", "otp": code(), "page": "1"},
        )
    assert sealed.status_code == 200, sealed.content
    assert sealed["Content-Type"] == "application/pdf" and "/verify/" in sealed["X-Verify-URL"]
    anonymous = Client()
    report = anonymous.post("/api/v1/seals/verify", {"file": upload(sealed.content)}).json()
    assert report["ok"] and report["signatures"][0]["status"] == "valid"
    assert report["signatures"][0]["seal"] == "财政局"
    bad = anonymous.post("/api/v1/seals/verify", {"file": upload(b"hello", "x.pdf")})
    assert bad.status_code == 422
    token = SignedDocument.objects.get().token
    assert anonymous.get(f"/api/v1/seals/documents/{token}").json()["seal"] == "财政局"


def test_certificates_through_the_api_are_for_the_security_administrator(
    client, ca, secadmin, city
):
    admin = Client()
    admin.force_login(secadmin)
    issued = admin.post(
        "/api/v1/seals/certificates",
        {"kind": "seal", "department": "EDU"},
        content_type="application/json",
    )
    assert issued.status_code == 201, issued.content
    listed = admin.get("/api/v1/seals/certificates").json()
    assert [c["department"] for c in listed] == ["EDU"]
    revoked = admin.post(
        f"/api/v1/seals/certificates/{listed[0]['id']}/revoke",
        {"reason": "换发"},
        content_type="application/json",
    )
    assert revoked.json()["revoked_at"]


def test_the_public_page_and_the_qr_code_page(client, seal, document):
    sealed, record = services.sign_pdf(seal["keeper"], document, seal="FIN", otp=code())
    page = client.get("/verify/")
    assert page.status_code == 200 and "查验" in page.content.decode()
    answer = client.post("/verify/", {"file": upload(sealed)}).content.decode()
    assert "所有签章均有效" in answer and "财政局" in answer
    qr = client.post(f"/verify/{record.token}/", {"file": upload(sealed)}).content.decode()
    assert "正是该二维码对应的文件" in qr
    other = client.post(f"/verify/{record.token}/", {"file": upload(document)}).content.decode()
    assert "不是该二维码对应的文件" in other
    assert client.get("/verify/nothing-here/").status_code == 404
    assert client.post("/verify/", {}).status_code == 422
    assert client.get("/ca/crl")["Content-Type"] == "application/pkix-crl"
    assert b"BEGIN CERTIFICATE" in client.get("/ca/root.pem").content


def test_the_seal_page_is_for_seal_keepers(client, seal, document):
    client.force_login(seal["clerk"])
    assert client.get("/seals/sign/").status_code == 403
    client.force_login(seal["keeper"])
    assert "用印" in client.get("/seals/sign/").content.decode()
    wrong = client.post("/seals/sign/", {"file": upload(document), "seal": "FIN", "otp": "1"})
    assert wrong.status_code == 422 and not SignedDocument.objects.exists()
    done = client.post("/seals/sign/", {"file": upload(document), "seal": "FIN", "otp": code()})
    assert done.status_code == 200 and done["Content-Type"] == "application/pdf"
    assert services.verify_pdf(done.content).ok


def test_the_command_line_signs_and_verifies(seal, document, tmp_path, monkeypatch, capsys):
    source, out = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(document)
    monkeypatch.setenv("TONGBAN_SEAL_USER", "seal.keeper")
    monkeypatch.setenv("TONGBAN_SEAL_OTP", code())
    call_command("seal", "sign", str(source), "--seal", "FIN", "--out", str(out), "--page", "2")
    assert "/verify/" in capsys.readouterr().out
    with pytest.raises(SystemExit) as ok:
        call_command("seal", "verify", str(out))
    assert ok.value.code == 0 and "VALID" in capsys.readouterr().out
    broken = bytearray(out.read_bytes())
    broken[broken.find(b"the quick brown fox")] = ord("T")
    out.write_bytes(bytes(broken))
    with pytest.raises(SystemExit) as failed:
        call_command("seal", "verify", str(out))
    assert failed.value.code == 1 and "INVALID" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        call_command("seal", "sign", str(source), "--seal", "FIN", "--out", str(out))
    assert refused.value.code == 2  # the same code again: refused


def test_ca_init_from_the_environment_through_the_real_command(tmp_path):
    env = {
        "TONGBAN_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "tongban.settings.base",
        "PATH": "/usr/bin:/bin",
    }
    tongban = [sys.executable, "-m", "tongban"]
    subprocess.run([*tongban, "migrate", "-v", "0"], env=env, check=True)
    short = subprocess.run(
        [*tongban, "ca", "init"], env={**env, "TONGBAN_CA_PASSPHRASE": "short"},
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert short.returncode == 2
    made = subprocess.run(
        [*tongban, "ca", "init"], env={**env, "TONGBAN_CA_PASSPHRASE": PASSPHRASE},
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "SHA-256" in made.stdout
    assert PASSPHRASE not in "".join(p.read_text() for p in (tmp_path / "secrets").iterdir())
    root = subprocess.run([*tongban, "ca", "root"], env=env, capture_output=True, text=True)
    assert root.stdout.startswith("-----BEGIN CERTIFICATE-----")
    unsigned = tmp_path / "plain.pdf"
    from tongban.seals import pdf

    unsigned.write_bytes(pdf.text_document(1))
    none = subprocess.run(
        [*tongban, "seal", "verify", str(unsigned)], env=env, capture_output=True, text=True
    )
    assert none.returncode == 1 and "no signatures" in none.stdout


def test_the_certificates_page_imports_uploads_the_image_and_revokes(client, seal, secadmin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongban.seals import pki
    from tongban.seals.models import Certificate

    client.force_login(secadmin)
    page = client.get("/seals/certificates/").content.decode()
    assert "印章证书" in page and "财政局" in page
    root = pki.make_root("外部认证中心")
    issuing = pki.make_issuing(root, "外部认证中心")
    outside = pki.issue(issuing, common_name="东城区人民政府", organisation="示范市", unit="公章")
    answer = client.post(
        "/seals/certificates/import/",
        {
            "department": "EAST",
            "certificate": SimpleUploadedFile("c.pem", pki.pem(outside.certificate)),
            "key": SimpleUploadedFile("k.pem", pki.encrypt_key(outside.key, "pass-2026-x")),
            "key_passphrase": "pass-2026-x",
            "chain": SimpleUploadedFile(
                "ca.pem", pki.pem(issuing.certificate) + pki.pem(root.certificate)
            ),
        },
    )
    assert answer.status_code == 302
    assert Certificate.objects.filter(department__code="EAST", imported=True).exists()
    png = io.BytesIO()
    Image.new("RGBA", (64, 64), (200, 0, 0, 255)).save(png, format="PNG")
    client.post(
        f"/seals/certificates/{seal['certificate'].pk}/image/",
        {"image": SimpleUploadedFile("seal.png", png.getvalue(), content_type="image/png")},
    )
    shown = client.get("/seals/image/FIN.svg")
    assert shown["Content-Type"] == "image/png" and shown.content == png.getvalue()
    client.post(f"/seals/certificates/{seal['certificate'].pk}/revoke/", {"reason": "遗失"})
    seal["certificate"].refresh_from_db()
    assert seal["certificate"].revoked_at is not None
    client.force_login(seal["clerk"])
    assert client.get("/seals/image/FIN.svg").status_code == 403
    assert client.get("/seals/certificates/").status_code == 403


def test_sm2_data_signature_pages(client, seal):
    client.force_login(seal["keeper"])
    signed = client.post(
        "/seals/sign-data/", {"data": "证照 2026-001", "seal": "FIN", "otp": code()}
    ).content.decode()
    assert "SM2-with-SM3" in signed
    import html
    import json
    import re

    signature = html.unescape(
        re.search(r"<pre class=\"card\"><code>(.*?)</code>", signed, re.S).group(1)
    )
    assert json.loads(signature)["seal"] == "FIN"
    public = Client()
    ok = public.post("/verify/data/", {"data": "证照 2026-001", "signature": signature})
    assert "有效" in ok.content.decode() and "财政局" in ok.content.decode()
    bad = public.post("/verify/data/", {"data": "证照 2026-002", "signature": signature})
    assert "无效" in bad.content.decode()
    assert public.post("/verify/data/", {"data": "x", "signature": "{"}).status_code == 422


def test_the_seal_page_places_the_seal_where_asked_in_millimetres(client, seal, document):
    client.force_login(seal["keeper"])
    off = client.post(
        "/seals/sign/", {"file": upload(document), "seal": "FIN", "otp": code(), "x": "200"}
    )
    assert off.status_code == 422 and not SignedDocument.objects.exists()  # 200 mm: off A4
    bad = client.post(
        "/seals/sign/", {"file": upload(document), "seal": "FIN", "otp": code(), "x": "左"}
    )
    assert bad.status_code == 422
    done = client.post(
        "/seals/sign/",
        {"file": upload(document), "seal": "FIN", "otp": code(), "x": "25.4", "y": "25.4"},
    )
    assert done.status_code == 200
    from pyhanko.pdf_utils.reader import PdfFileReader

    [signature] = PdfFileReader(io.BytesIO(done.content)).embedded_signatures
    assert [round(float(v)) for v in signature.sig_field["/Rect"]] == [72, 72, 192, 192]
