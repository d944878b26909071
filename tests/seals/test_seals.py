"""The platform CA, sealing a PDF (用印) and verifying it, with pyHanko's validator and with
poppler's pdfsig, a verifier this project did not write."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from cryptography import x509
from django.utils import timezone
from PIL import Image

from tests.seals.conftest import PASSPHRASE, code, trust_store
from tongban.audit.models import AuditEntry
from tongban.core.errors import Conflict, Forbidden, InvalidInput, TooManyAttempts
from tongban.identity import services as identity
from tongban.seals import appearance, pki, services
from tongban.seals.models import Authority, SignedDocument

pytestmark = pytest.mark.django_db


def test_ca_init_keeps_the_root_key_under_the_operators_passphrase_only(db, settings):
    with pytest.raises(InvalidInput):
        services.init_ca("short")
    assert not Authority.objects.exists()
    services.init_ca(PASSPHRASE)
    assert set(Authority.objects.values_list("kind", flat=True)) == {"root", "issuing", "tsa"}
    root = Authority.objects.get(kind="root")
    with pytest.raises(pki.PkiError):
        pki.decrypt_key(root.key_pem.encode(), settings.SEAL_KEY)
    assert services.check_root_passphrase(PASSPHRASE)
    assert not services.check_root_passphrase("Wrong-Passphrase-2026")
    assert PASSPHRASE not in root.key_pem and "ENCRYPTED" in root.key_pem
    with pytest.raises(Conflict):
        services.init_ca(PASSPHRASE)
    assert AuditEntry.objects.filter(action="seals.ca.init").count() == 1


def test_certificates_are_for_the_security_administrator(ca, secadmin, sysadmin, make_staff):
    with pytest.raises(Forbidden):
        services.issue_certificate(sysadmin, kind="seal", department_code="FIN")
    with pytest.raises(InvalidInput):
        services.issue_certificate(secadmin, kind="seal", department_code="NOPE")
    certificate = services.issue_certificate(secadmin, kind="seal", department_code="FIN")
    cert = x509.load_pem_x509_certificate(certificate.certificate_pem.encode())
    assert "财政局" in cert.subject.rfc4514_string()
    assert "PRIVATE KEY" in certificate.key_pem and "ENCRYPTED" in certificate.key_pem
    person = make_staff("edu", "cert.person", display_name="李四")
    personal = services.issue_certificate(secadmin, kind="person", username="cert.person")
    assert personal.user == person.user and "李四" in personal.subject


def pdfsig(path: Path, nss: Path) -> str:
    return subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True, text=True, check=False
    ).stdout


@pytest.fixture
def nss(tmp_path: Path, ca) -> Path:
    return trust_store(tmp_path / "nss")


def test_a_sealed_pdf_validates_with_pyhanko_and_pdfsig_and_one_byte_breaks_both(
    seal, document, tmp_path, nss
):
    signed, record = services.sign_pdf(
        seal["keeper"], document, seal="FIN", otp=code(), reason="发文用印", filename="通知.pdf"
    )
    report = services.verify_pdf(signed)
    assert report.ok
    [sig] = report.signatures
    assert sig.status == "valid" and sig.unchanged and sig.timestamped and sig.seal == "财政局"
    assert report.document["token"] == record.token and record.page == 3
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    out = pdfsig(path, nss)
    assert "Signature is Valid." in out and "Certificate is Trusted." in out, out
    assert "Total document signed" in out

    index = signed.find(b"the quick brown fox")
    broken = bytearray(signed)
    broken[index] = ord("T")
    path.write_bytes(bytes(broken))
    assert "Digest Mismatch." in pdfsig(path, nss)
    report = services.verify_pdf(bytes(broken))
    assert not report.ok and report.signatures[0].status == "invalid"
    assert not report.signatures[0].unchanged


def test_two_seals_on_one_document_joint_issue(seal, secadmin, document, make_staff):
    services.issue_certificate(secadmin, kind="seal", department_code="EDU")
    edu_keeper = make_staff("edu", "edu.keeper", role="seal_keeper").user
    edu_secret = pyotp.random_base32()
    identity.set_totp_secret(edu_keeper, edu_secret)
    once, first = services.sign_pdf(seal["keeper"], document, seal="FIN", otp=code())
    twice, _ = services.sign_pdf(
        edu_keeper, once, seal="EDU", otp=pyotp.TOTP(edu_secret).now(), x=200
    )
    report = services.verify_pdf(twice)
    assert report.ok
    assert [s.seal for s in report.signatures] == ["财政局", "教育局"]
    assert all(s.unchanged for s in report.signatures)
    # The QR code of the first seal still recognises the jointly sealed file.
    assert report.document["token"] == first.token


def test_sealing_without_the_role_or_the_second_factor_is_refused_and_audited(seal, document):
    with pytest.raises(Forbidden):
        services.sign_pdf(seal["clerk"], document, seal="FIN", otp=code())
    with pytest.raises(Forbidden):
        services.sign_pdf(seal["keeper"], document, seal="FIN", otp="")
    with pytest.raises(Forbidden):
        services.sign_pdf(seal["keeper"], document, seal="FIN", otp="000000")
    denied = AuditEntry.objects.filter(action="seals.sign", outcome="denied")
    assert sorted(denied.values_list("detail", flat=True)) == [
        "no seal-keeper role", "second factor", "second factor",
    ]  # fmt: skip
    assert not SignedDocument.objects.exists()
    with pytest.raises(InvalidInput):
        services.sign_pdf(seal["keeper"], b"not a pdf", seal="FIN", otp=code())


def test_a_code_is_good_for_one_seal_only(seal, document):
    once = code()
    services.sign_pdf(seal["keeper"], document, seal="FIN", otp=once)
    with pytest.raises(Forbidden):
        services.sign_pdf(seal["keeper"], document, seal="FIN", otp=once)


def test_a_certificate_revoked_afterwards_verifies_as_revoked_at_that_time(
    seal, secadmin, document
):
    signed, _ = services.sign_pdf(seal["keeper"], document, seal="FIN", otp=code())
    services.revoke_certificate(secadmin, seal["certificate"].pk, reason="印章遗失")
    seal["certificate"].refresh_from_db()
    [sig] = services.verify_pdf(signed).signatures
    assert sig.status == "revoked"
    assert sig.certificate["revoked_at"] == seal["certificate"].revoked_at.isoformat()
    when = timezone.localtime(seal["certificate"].revoked_at).strftime("%Y-%m-%d %H:%M")
    assert any(when in p for p in sig.problems)
    assert not any("印章遗失" in p for p in sig.problems)  # the reason is not published
    crl = x509.load_der_x509_crl(services.crl_der())
    assert crl.get_revoked_certificate_by_serial_number(int(seal["certificate"].serial, 16))
    with pytest.raises(Conflict):  # no valid seal any more
        services.sign_pdf(seal["keeper"], document, seal="FIN", otp="123456")


def test_a_page_or_a_position_off_the_document_is_refused_without_using_up_the_code(seal, document):
    once = code()
    with pytest.raises(InvalidInput) as page:
        services.sign_pdf(seal["keeper"], document, seal="FIN", otp=once, page=9)
    assert str(page.value.message) == "第 9 页不存在：该文件共 3 页。"
    assert page.value.errors == {"page": ["第 9 页不存在：该文件共 3 页。"]}
    with pytest.raises(InvalidInput):
        services.sign_pdf(seal["keeper"], document, seal="FIN", otp=once, x=560, y=100)
    assert not SignedDocument.objects.exists()
    services.sign_pdf(seal["keeper"], document, seal="FIN", otp=once)  # the code still works


def test_wrong_codes_lock_the_account_for_a_while(seal, document, settings):
    for _ in range(settings.TONGBAN_LOCKOUT_THRESHOLD - 1):
        with pytest.raises(Forbidden):
            services.sign_pdf(seal["keeper"], document, seal="FIN", otp="000000")
    with pytest.raises(TooManyAttempts):
        services.sign_pdf(seal["keeper"], document, seal="FIN", otp="000000")
    with pytest.raises(TooManyAttempts):  # even the right code, until the lock ends
        services.sign_pdf(seal["keeper"], document, seal="FIN", otp=code())
    assert not SignedDocument.objects.exists()


def test_a_certificate_that_merely_chains_to_a_trusted_root_is_not_a_seal_of_the_platform(
    seal, document
):
    from tongban.seals import pdf as seal_pdf
    from tongban.seals.models import Authority

    issuing_row = Authority.objects.get(kind="issuing")
    issuing = pki.Issued(
        pki.load_certificate(issuing_row.certificate_pem.encode()),
        pki.decrypt_key(issuing_row.key_pem.encode(), services._platform_secret()),
    )
    stray = pki.issue(issuing, common_name="财政局", organisation="示范市人民政府", unit="公章")
    forged = seal_pdf.sign(
        document, signer=stray, chain=services._chain(), seal_png=appearance.png("财政局"),
        page=1, x=None, y=None, field_name="stray", reason="", location="", stamper=None,
    )  # fmt: skip
    report = services.verify_pdf(forged)
    assert not report.ok and report.signatures[0].status == "untrusted"
    assert report.signatures[0].seal == ""


def test_a_seal_stays_valid_after_its_certificate_expires(seal, document):
    import time_machine

    signed, _ = services.sign_pdf(seal["keeper"], document, seal="FIN", otp=code())
    with time_machine.travel(seal["certificate"].not_after + timedelta(days=30)):
        [sig] = services.verify_pdf(signed).signatures
    assert sig.status == "valid", sig.problems


def test_a_damaged_signature_is_a_clear_refusal_not_a_crash(seal, document):
    signed, _ = services.sign_pdf(seal["keeper"], document, seal="FIN", otp=code())
    start = signed.find(b"/Contents <") + len(b"/Contents <")
    damaged = signed[:start] + b"00" * 40 + signed[start + 80 :]
    with pytest.raises(InvalidInput):
        services.verify_pdf(damaged)


def test_the_drawn_seal_has_the_name_the_star_and_is_red_on_transparent():
    svg = appearance.svg("示范市财政局")
    assert all(ch in svg for ch in "示范市财政局") and "<polygon" in svg
    image = Image.open(io.BytesIO(appearance.png("示范市财政局")))
    assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0  # transparent corner
    centre = image.getpixel((image.width // 2, image.height // 2))
    assert centre[0] > 180 and centre[1] < 40 and centre[3] == 255  # the red star


def test_sm2_detached_signature_on_licence_data(seal):
    data = '{"licence":"2026-001","holder":"某某公司"}'.encode()
    signature = services.sign_data(seal["keeper"], data, seal="FIN", otp=code())
    assert signature["algorithm"] == "SM2-with-SM3" and len(signature["signature"]) == 128
    assert services.verify_data(data, signature)["status"] == "valid"
    assert services.verify_data(data + b" ", signature)["status"] == "invalid"
    first = signature["signature"][0]
    forged = {**signature, "signature": ("1" if first == "0" else "0") + signature["signature"][1:]}
    assert services.verify_data(data, forged)["status"] != "valid"


def test_a_personal_signature_needs_ones_own_certificate_and_a_code(
    seal, secadmin, document, make_staff
):
    leader = make_staff("fin", "fin.leader", role="bureau_head", display_name="王局长").user
    secret = pyotp.random_base32()
    identity.set_totp_secret(leader, secret)
    with pytest.raises(Conflict):  # no personal certificate yet
        services.sign_pdf(leader, document, personal=True, otp=pyotp.TOTP(secret).now())
    services.issue_certificate(secadmin, kind="person", username="fin.leader")
    with pytest.raises(Forbidden):
        services.sign_pdf(leader, document, personal=True, otp="")
    signed, record = services.sign_pdf(
        leader, document, personal=True, otp=pyotp.TOTP(secret).now(), reason="签发"
    )
    [sig] = services.verify_pdf(signed).signatures
    assert sig.status == "valid" and "王局长" in sig.signer and "个人签名" in sig.signer
    entry = AuditEntry.objects.filter(action="seals.sign_personal").latest("seq")
    assert entry.after["personal"] is True and record.certificate.kind == "person"
