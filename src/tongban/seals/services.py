"""Seals and signatures: the CA, certificates, sealing a PDF, verifying one (DESIGN.md §3).

Every change checks permission, runs in a transaction and is audited. Sealing needs the
seal-keeper's permission for the department (``seals.sign``) and a fresh one-time code; a refusal
is audited before it is raised.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, timedelta
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongban.audit.services import record, record_denied
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyAttempts
from tongban.core.permissions import Action
from tongban.identity import services as identity
from tongban.identity.models import User
from tongban.org import policy
from tongban.org.models import Department, Staff
from tongban.seals import appearance, pdf, pki, sm2
from tongban.seals.models import (
    Authority,
    AuthorityKind,
    Certificate,
    CertificateKind,
    SignedDocument,
)

MAX_PDF_BYTES = 30 * 1024 * 1024
MIN_PASSPHRASE = 12


def _platform_secret() -> bytes:
    return str(settings.SEAL_KEY).encode()


def _fernet() -> Any:
    import base64

    from cryptography.fernet import Fernet

    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(_platform_secret()).digest()))


def organisation() -> str:
    """The name on the platform's certificates: the top of the department tree."""
    top = Department.objects.filter(parent__isnull=True).order_by("sort_order", "pk").first()
    return top.name if top else "tongban"


def crl_url() -> str:
    return f"{settings.PUBLIC_URL.rstrip('/')}/ca/crl"


def verify_url(token: str) -> str:
    return f"{settings.PUBLIC_URL.rstrip('/')}/verify/{token}/"


# --- the CA --------------------------------------------------------------------------------


def ca_ready() -> bool:
    return Authority.objects.filter(kind=AuthorityKind.ISSUING).exists()


def init_ca(passphrase: str) -> dict[str, str]:
    """``tongban ca init``: a root CA (its key encrypted with ``passphrase``, which is not kept),
    an issuing CA and the time-stamping authority. Once only."""
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise InvalidInput(
            _("The passphrase needs at least %(n)d characters.") % {"n": MIN_PASSPHRASE},
            field="passphrase",
        )
    if Authority.objects.exists():
        raise Conflict(_("The platform CA already exists."))
    name = organisation()
    root = pki.make_root(name)
    issuing = pki.make_issuing(root, name)
    tsa = pki.issue(
        issuing, common_name=f"{name} 时间戳服务", organisation=name, time_stamping=True,
        days=10 * 365, crl_url=crl_url(),
    )  # fmt: skip
    with transaction.atomic():
        for kind, issued, secret in (
            (AuthorityKind.ROOT, root, passphrase.encode()),
            (AuthorityKind.ISSUING, issuing, _platform_secret()),
            (AuthorityKind.TSA, tsa, _platform_secret()),
        ):
            Authority.objects.create(
                kind=kind,
                certificate_pem=pki.pem(issued.certificate).decode(),
                key_pem=pki.encrypt_key(issued.key, secret).decode(),
            )
        record(
            "seals.ca.init",
            object_type="seals.authority",
            after={
                "root_serial": format(root.certificate.serial_number, "x"),
                "issuing_serial": format(issuing.certificate.serial_number, "x"),
                "organisation": name,
            },
        )
    return {"organisation": name, "root_sha256": _fingerprint(root.certificate)}


def _fingerprint(cert: Any) -> str:
    from cryptography.hazmat.primitives import hashes

    return str(cert.fingerprint(hashes.SHA256()).hex())


def _authority(kind: str) -> Authority:
    row = Authority.objects.filter(kind=kind).first()
    if row is None:
        raise Conflict(_("The platform CA has not been set up: run “tongban ca init”."))
    return row


# Opened keys by their encrypted PEM: opening one costs a scrypt derivation (~50 ms), and a
# process seals many documents with the same few keys. Only this process's memory holds them.
_OPENED: dict[str, pki.Issued] = {}
_STAMPERS: dict[str, Any] = {}


def _opened(certificate_pem: str, key_pem: str) -> pki.Issued:
    cache_key = hashlib.sha256((certificate_pem + key_pem).encode()).hexdigest()
    issued = _OPENED.get(cache_key)
    if issued is None:
        issued = pki.Issued(
            pki.load_certificate(certificate_pem.encode()),
            pki.decrypt_key(key_pem.encode(), _platform_secret()),
        )
        if len(_OPENED) > 256:
            _OPENED.clear()
        _OPENED[cache_key] = issued
    return issued


def _open(kind: str) -> pki.Issued:
    row = _authority(kind)
    return _opened(row.certificate_pem, row.key_pem)


def _time_stamper(chain: list[Any]) -> Any:
    """The platform TSA, kept per process (it caches its size estimate between documents)."""
    row = _authority(AuthorityKind.TSA)
    stamper = _STAMPERS.get(row.certificate_pem)
    if stamper is None:
        stamper = _STAMPERS[row.certificate_pem] = pdf.time_stamper(_open(AuthorityKind.TSA), chain)
    return stamper


def root_certificate() -> Any:
    return pki.load_certificate(_authority(AuthorityKind.ROOT).certificate_pem.encode())


def check_root_passphrase(passphrase: str) -> bool:
    try:
        pki.decrypt_key(_authority(AuthorityKind.ROOT).key_pem.encode(), passphrase)
    except pki.PkiError:
        return False
    return True


def _chain() -> list[Any]:
    return [
        pki.load_certificate(_authority(AuthorityKind.ISSUING).certificate_pem.encode()),
        root_certificate(),
    ]


def crl_der() -> bytes:
    """The issuing CA's current revocation list (published at /ca/crl)."""
    from cryptography.hazmat.primitives import serialization

    revoked = [
        (int(c.serial, 16), c.revoked_at)
        for c in Certificate.objects.filter(revoked_at__isnull=False, imported=False)
        if c.revoked_at is not None
    ]
    return pki.make_crl(_open(AuthorityKind.ISSUING), revoked).public_bytes(
        serialization.Encoding.DER
    )


# --- certificates --------------------------------------------------------------------------


def _store(
    actor: User,
    issued: pki.Issued,
    *,
    kind: str,
    department: Department | None,
    user: User | None,
    imported: bool,
) -> Certificate:
    cert = issued.certificate
    national = sm2.new_key_pair()
    return Certificate.objects.create(
        sm2_public=national.public_hex,
        sm2_private=_fernet().encrypt(national.private_hex.encode()).decode(),
        kind=kind,
        department=department,
        user=user,
        subject=cert.subject.rfc4514_string()[:300],
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        certificate_pem=pki.pem(cert).decode(),
        key_pem=pki.encrypt_key(issued.key, _platform_secret()).decode(),
        imported=imported,
        created_by_username=actor.username,
    )


def issue_certificate(
    actor: User,
    *,
    kind: str,
    department_code: str = "",
    username: str = "",
    days: int = 3 * 365,
) -> Certificate:
    """Issue a seal certificate for a department (公章) or a personal one for a staff member."""
    policy.require(actor, Action.MANAGE_SEALS)
    if kind not in CertificateKind.values:
        raise InvalidInput(_("Choose a seal or a personal certificate."), field="kind")
    if not 30 <= days <= 10 * 365:
        raise InvalidInput(_("A certificate is valid for 30 days to 10 years."), field="days")
    department = user = None
    if kind == CertificateKind.SEAL:
        department = Department.objects.filter(code__iexact=department_code.strip()).first()
        if department is None:
            raise InvalidInput(_("No department with this code."), field="department")
        common_name, unit = department.name, "公章"
    else:
        staff = (
            Staff.objects.select_related("user", "department")
            .filter(user__username__iexact=username.strip(), user__is_active=True)
            .first()
        )
        if staff is None:
            raise InvalidInput(_("No active staff member with this login."), field="username")
        user, department = staff.user, staff.department
        common_name, unit = staff.user.display_name, "个人签名"
    issued = pki.issue(
        _open(AuthorityKind.ISSUING), common_name=common_name, organisation=organisation(),
        unit=unit, days=days, crl_url=crl_url(),
    )  # fmt: skip
    with transaction.atomic():
        certificate = _store(
            actor, issued, kind=kind, department=department, user=user, imported=False
        )
        record(
            "seals.certificate.issue",
            obj=certificate,
            after={"kind": kind, "subject": certificate.subject, "serial": certificate.serial},
        )
    return certificate


def import_certificate(
    actor: User,
    *,
    department_code: str,
    certificate_pem: bytes,
    key_pem: bytes,
    chain_pem: bytes,
    key_passphrase: str = "",
) -> Certificate:
    """A department seal certificate issued by an outside CA, with its key (then encrypted with
    the platform key like every other) and that CA's certificates up to its root, which
    verification then trusts for this certificate's signatures."""
    policy.require(actor, Action.MANAGE_SEALS)
    department = Department.objects.filter(code__iexact=department_code.strip()).first()
    if department is None:
        raise InvalidInput(_("No department with this code."), field="department")
    try:
        cert = pki.load_certificate(certificate_pem)
        key = pki.load_key(key_pem, key_passphrase or None)
        chain = pki.load_certificates(chain_pem)
    except pki.PkiError as exc:
        raise InvalidInput(str(exc), field="certificate") from exc
    if not any(pki.self_signed(c) for c in chain):
        raise InvalidInput(
            _("Give the outside CA's certificates up to its root (self-signed)."), field="chain"
        )
    if cert.issuer not in {c.subject for c in chain}:
        raise InvalidInput(_("The certificate was not issued by this chain."), field="chain")
    if not pki.matches(cert, key):
        raise InvalidInput(_("The key does not belong to this certificate."), field="key")
    if cert.not_valid_after_utc <= timezone.now():
        raise InvalidInput(_("This certificate has expired."), field="certificate")
    if Certificate.objects.filter(serial=format(cert.serial_number, "x")).exists():
        raise Conflict(_("This certificate is already here."))
    with transaction.atomic():
        certificate = _store(
            actor,
            pki.Issued(cert, key),
            kind=CertificateKind.SEAL,
            department=department,
            user=None,
            imported=True,
        )
        certificate.chain_pem = b"".join(pki.pem(c) for c in chain).decode()
        certificate.save(update_fields=["chain_pem"])
        record(
            "seals.certificate.import",
            obj=certificate,
            after={"subject": certificate.subject, "serial": certificate.serial},
        )
    return certificate


def revoke_certificate(actor: User, certificate_id: int, *, reason: str) -> Certificate:
    policy.require(actor, Action.MANAGE_SEALS)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for revoking the certificate."), field="reason")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().filter(pk=certificate_id).first()
        if certificate is None:
            raise NotFound()
        if certificate.revoked_at is not None:
            raise Conflict(_("This certificate is already revoked."))
        certificate.revoked_at = timezone.now()
        certificate.revocation_reason = reason[:200]
        certificate.save(update_fields=["revoked_at", "revocation_reason"])
        record("seals.certificate.revoke", obj=certificate, after={"reason": reason[:200]})
    return certificate


def set_seal_image(actor: User, certificate_id: int, png: bytes | None) -> Certificate:
    """An administrator's official seal image instead of the drawn one (None: drawn again)."""
    policy.require(actor, Action.MANAGE_SEALS)
    if png is not None:
        from PIL import Image, UnidentifiedImageError

        try:
            image = Image.open(io.BytesIO(png))
            if image.width * image.height > 4096 * 4096:
                raise InvalidInput(
                    _("The seal image must be at most 4096 × 4096 pixels."), field="image"
                )
            image.verify()
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise InvalidInput(_("The seal image must be a PNG file."), field="image") from exc
        if image.format != "PNG" or len(png) > 2 * 1024 * 1024:
            raise InvalidInput(
                _("The seal image must be a PNG file of at most 2 MB."), field="image"
            )
    with transaction.atomic():
        certificate = Certificate.objects.filter(pk=certificate_id, kind="seal").first()
        if certificate is None:
            raise NotFound()
        certificate.seal_image = png
        certificate.save(update_fields=["seal_image"])
        record(
            "seals.certificate.image",
            obj=certificate,
            after={"image": hashlib.sha256(png).hexdigest() if png else "drawn"},
        )
    return certificate


def seal_png(certificate: Certificate) -> bytes:
    if certificate.seal_image:
        return bytes(certificate.seal_image)
    if certificate.kind == CertificateKind.PERSON and certificate.user is not None:
        return appearance.signature_png(certificate.user.display_name)
    name = certificate.department.name if certificate.department else certificate.subject
    return appearance.png(name)


def _active(kind: str, **owner: Any) -> Certificate | None:
    """The newest certificate of ``kind`` for ``owner`` that is valid now and not revoked."""
    now = timezone.now()
    return (
        Certificate.objects.filter(
            kind=kind, revoked_at__isnull=True, not_before__lte=now, not_after__gt=now, **owner
        )
        .select_related("department", "user")
        .order_by("-not_after")
        .first()
    )


def active_seal(department: Department) -> Certificate | None:
    return _active(CertificateKind.SEAL, department=department)


def active_personal(user: User) -> Certificate | None:
    return _active(CertificateKind.PERSON, user=user)


def expiring(days: int = 30) -> list[Certificate]:
    """Valid certificates that expire within ``days`` (expiry warnings)."""
    now = timezone.now()
    return list(
        Certificate.objects.filter(
            revoked_at__isnull=True, not_after__gt=now, not_after__lte=now + timedelta(days=days)
        ).select_related("department", "user")
    )


# --- sealing -------------------------------------------------------------------------------


def _qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=6, border=1)
    return out.getvalue()


def _seal_of(actor: User, code: str, action: str) -> tuple[Department, Certificate]:
    """The department's valid seal certificate, if ``actor`` keeps that seal (refusal audited)."""
    department = Department.objects.filter(code__iexact=(code or "").strip()).first()
    if department is None:
        raise NotFound(_("No department with this code."), field="seal")
    if not policy.can(actor, Action.SIGN_WITH_SEAL, department):
        record_denied(
            action, obj=department, actor=actor, detail=gettext_noop("no seal-keeper role")
        )
        raise Forbidden(
            _("Only a seal keeper of %(dept)s may use its seal.") % {"dept": department.name}
        )
    certificate = active_seal(department)
    if certificate is None:
        raise Conflict(
            _("%(dept)s has no valid seal certificate; ask the security administrator.")
            % {"dept": department.name}
        )
    return department, certificate


def _second_factor(actor: User, otp: str, action: str, target: Any) -> None:
    """A fresh one-time code of ``actor``; a refusal is audited against ``target``."""
    try:
        identity.confirm_second_factor(actor, otp, action=action)
    except (Forbidden, TooManyAttempts):
        record_denied(action, obj=target, actor=actor, detail=gettext_noop("second factor"))
        raise


def seal_bytes(
    certificate: Certificate,
    data: bytes,
    *,
    token: str,
    page: int,
    x: float | None = None,
    y: float | None = None,
    reason: str = "",
    qr: bool = True,
) -> bytes:
    """The cryptographic part of sealing, after every check (``sign_pdf`` is the service)."""
    department = certificate.department
    signer = _opened(certificate.certificate_pem, certificate.key_pem)
    chain = (
        pki.load_certificates(certificate.chain_pem.encode())
        if certificate.imported and certificate.chain_pem
        else _chain()
    )
    try:
        return pdf.sign(
            data,
            signer=signer,
            chain=chain,
            seal_png=seal_png(certificate),
            qr_png=_qr_png(verify_url(token)) if qr else None,
            page=page,
            x=x,
            y=y,
            field_name=f"{certificate.kind}-{department.code if department else 'x'}-{token[:8]}",
            reason=reason or _("Official seal"),
            location=department.name if department else "",
            stamper=_time_stamper(_chain()),
        )
    except pdf.PdfProblem as exc:
        raise InvalidInput(str(exc), field="file") from exc


@dataclass
class PdfToSeal:
    """One PDF of a sealing request: where the seal goes (default: the last page, bottom right)."""

    data: bytes
    page: int | None = None
    x: float | None = None
    y: float | None = None
    reason: str = ""
    filename: str = ""


MAX_BATCH = 200


def _checked(item: PdfToSeal) -> tuple[int, int, bool]:
    """Refuse a file or a position before the one-time code is spent: (pages, page, first seal)."""
    data = item.data
    if not data or len(data) > MAX_PDF_BYTES:
        raise InvalidInput(_("Give a PDF of at most 30 MB."), field="file")
    if not data.startswith(b"%PDF-"):
        raise InvalidInput(_("This is not a PDF file."), field="file")
    try:
        pages = pdf.page_count(data)
        # The QR code changes the page, which would count against a seal already on it: a
        # joint issue (联合发文) carries the first seal's code, whose page lists every seal.
        first_seal = pdf.signature_count(data) == 0
    except pdf.PdfProblem as exc:
        raise InvalidInput(
            _("The PDF cannot be read: %(why)s") % {"why": exc}, field="file"
        ) from exc
    page = pages if item.page is None else item.page
    if not 1 <= page <= pages:
        raise InvalidInput(
            _("Page %(page)d does not exist: the document has %(pages)d.")
            % {"page": page, "pages": pages},
            field="page",
        )
    try:
        pdf.check_position(data, page, item.x, item.y, qr=first_seal)
    except pdf.PdfProblem as exc:
        raise InvalidInput(str(exc), field="x") from exc
    return pages, page, first_seal


def sign_pdfs(
    actor: User,
    items: list[PdfToSeal],
    *,
    seal: str = "",
    personal: bool = False,
    otp: str,
) -> list[tuple[bytes, SignedDocument]]:
    """用印 on one PDF or a batch (批量用印): each with the department's seal (or, ``personal``,
    the actor's own signature, 个人签名), a timestamp and a QR code to its verification.

    A seal needs ``seals.sign`` for that department; both need a fresh one-time code, given once
    for the whole batch after every file was checked. Refusals are audited; each sealed file is
    audited on its own.
    """
    if not items or len(items) > MAX_BATCH:
        raise InvalidInput(
            _("Seal between 1 and %(n)d files at a time.") % {"n": MAX_BATCH}, field="file"
        )
    action = "seals.sign_personal" if personal else "seals.sign"
    target: Any
    if personal:
        target = actor
        certificate = active_personal(actor)
        if certificate is None:
            raise Conflict(
                _("You have no valid personal certificate; ask the security administrator.")
            )
    else:
        target, certificate = _seal_of(actor, seal, action)
    checked = [_checked(item) for item in items]
    # The one-time code last: a request refused for its input does not use it up.
    _second_factor(actor, otp, action, target)
    results = []
    for item, (pages, page, first_seal) in zip(items, checked, strict=True):
        token = secrets.token_urlsafe(16)
        out = seal_bytes(
            certificate,
            item.data,
            token=token,
            page=page,
            x=item.x,
            y=item.y,
            reason=item.reason,
            qr=first_seal,
        )
        with transaction.atomic():
            document = SignedDocument.objects.create(
                token=token,
                certificate=certificate,
                signer=actor,
                filename=(item.filename or "")[:200],
                sha256=hashlib.sha256(out).hexdigest(),
                pages=pages,
                page=page,
                reason=(item.reason or "")[:200],
            )
            record(
                action,
                obj=document,
                after={
                    "seal": certificate.department.code if certificate.department else "",
                    "personal": personal,
                    "certificate": certificate.serial,
                    "sha256": document.sha256,
                    "input_sha256": hashlib.sha256(item.data).hexdigest(),
                    "page": page,
                    "batch": len(items),
                },
            )
        results.append((out, document))
    return results


def sign_pdf(
    actor: User,
    data: bytes,
    *,
    seal: str = "",
    personal: bool = False,
    otp: str,
    page: int | None = None,
    x: float | None = None,
    y: float | None = None,
    reason: str = "",
    filename: str = "",
) -> tuple[bytes, SignedDocument]:
    """用印 on one PDF; see ``sign_pdfs``."""
    item = PdfToSeal(data, page=page, x=x, y=y, reason=reason, filename=filename)
    return sign_pdfs(actor, [item], seal=seal, personal=personal, otp=otp)[0]


# --- verification --------------------------------------------------------------------------


@dataclass
class SignatureReport:
    field_name: str
    signer: str
    kind: str  # seal | person | "" (not a certificate of this platform)
    seal: str
    signed_at: str | None  # ISO 8601, UTC
    signed_at_local: str | None  # Asia/Shanghai, for people
    timestamped: bool
    status: str  # valid | invalid | revoked | expired | untrusted
    unchanged: bool
    certificate: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass
class VerificationReport:
    ok: bool
    signatures: list[SignatureReport]
    document: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _trust_roots() -> list[Any]:
    """The platform's root and the roots of the outside CAs whose certificates were imported."""
    roots = [root_certificate()] if ca_ready() else []
    for chain in (
        Certificate.objects.filter(imported=True)
        .exclude(chain_pem="")
        .values_list("chain_pem", flat=True)
    ):
        roots += [c for c in pki.load_certificates(chain.encode()) if pki.self_signed(c)]
    return roots


def verify_pdf(data: bytes) -> VerificationReport:
    """Every signature in the file: who, which seal, when, whether the document changed after
    it, and whether the certificate is valid, expired or revoked (and since when)."""
    if not data or len(data) > MAX_PDF_BYTES:
        raise InvalidInput(_("Give a PDF of at most 30 MB."), field="file")
    if not data.startswith(b"%PDF-"):
        raise InvalidInput(_("This is not a PDF file."), field="file")
    try:
        findings = pdf.inspect(data, trust_roots=_trust_roots())
    except pdf.PdfProblem as exc:
        raise InvalidInput(
            _("The PDF cannot be read: %(why)s") % {"why": exc}, field="file"
        ) from exc
    known = {
        _fingerprint(pki.load_certificate(c.certificate_pem.encode())): c
        for c in Certificate.objects.filter(
            serial__in=[format(f.serial, "x") for f in findings]
        ).select_related("department", "user")
    }
    reports = []
    for finding in findings:
        # Known means this very certificate (serial and fingerprint) is one the platform holds:
        # a certificate merely chaining to a trusted root is not a seal of this platform.
        certificate = known.get(finding.cert_sha256)
        signed_at = finding.signed_at
        problems = list(finding.problems)
        unchanged = finding.intact and not finding.changed_after
        if not finding.intact or not finding.valid:
            status = "invalid"
        elif not finding.trusted or certificate is None:
            status = "untrusted"
        elif certificate is not None and certificate.revoked_at is not None:
            status = "revoked"
            # The time is public; the administrator's reason stays in the audit trail.
            problems.append(
                _("revoked at %(when)s")
                % {"when": timezone.localtime(certificate.revoked_at).strftime("%Y-%m-%d %H:%M")}
            )
        elif (
            certificate is not None
            and signed_at
            and not (certificate.not_before <= signed_at <= certificate.not_after)
        ):
            status = "expired"
        else:
            status = "valid"
        if finding.changed_after:
            problems.append(_("the document was changed after this signature"))
        reports.append(
            SignatureReport(
                field_name=finding.field_name,
                signer=finding.signer_subject,
                kind=certificate.kind if certificate else "",
                seal=certificate.department.name
                if certificate
                and certificate.kind == CertificateKind.SEAL
                and certificate.department
                else "",
                signed_at=signed_at.astimezone(UTC).isoformat(timespec="seconds")
                if signed_at
                else None,
                signed_at_local=timezone.localtime(signed_at).strftime("%Y-%m-%d %H:%M:%S")
                if signed_at
                else None,
                timestamped=finding.timestamped,
                status=status,
                unchanged=unchanged,
                certificate={
                    "serial": format(finding.serial, "x"),
                    "known": certificate is not None,
                    "not_after": certificate.not_after.isoformat() if certificate else None,
                    "revoked_at": certificate.revoked_at.isoformat()
                    if certificate and certificate.revoked_at
                    else None,
                },
                problems=problems,
            )
        )
    document = (
        SignedDocument.objects.filter(sha256__in=_revision_digests(data))
        .select_related("certificate__department")
        .order_by("signed_at")
        .first()
    )
    return VerificationReport(
        ok=bool(reports) and all(r.status == "valid" and r.unchanged for r in reports),
        signatures=reports,
        document=document_record(document) if document else None,
    )


def _revision_digests(data: bytes) -> list[str]:
    """SHA-256 of the whole file and of each earlier revision (a prefix ending in %%EOF): a
    jointly sealed file still contains, byte for byte, the file the first seal produced."""
    digests = {hashlib.sha256(data).hexdigest()}
    start = 0
    while (found := data.find(b"%%EOF", start)) != -1 and len(digests) < 64:
        end = found + len(b"%%EOF")
        for cut in (end, end + 1, end + 2):
            digests.add(hashlib.sha256(data[:cut]).hexdigest())
        start = end
    return sorted(digests)


def document_record(document: SignedDocument) -> dict[str, Any]:
    return {
        "token": document.token,
        "filename": document.filename,
        "sha256": document.sha256,
        "signed_at": document.signed_at.isoformat(timespec="seconds"),
        "seal": document.certificate.department.name
        if document.certificate.department and document.certificate.kind == CertificateKind.SEAL
        else document.certificate.subject,
        "kind": document.certificate.kind,
        "pages": document.pages,
        "page": document.page,
        "reason": document.reason,
    }


def signed_document(token: str) -> SignedDocument:
    document = (
        SignedDocument.objects.select_related("certificate__department", "signer")
        .filter(token=token)
        .first()
    )
    if document is None:
        raise NotFound()
    return document


# --- national cryptography (国密) ------------------------------------------------------------


def sign_data(actor: User, data: bytes, *, seal: str, otp: str) -> dict[str, Any]:
    """A detached SM2/SM3 signature by a department's seal on data that is not a PDF (licence
    data, an audit checkpoint). The same rule as sealing a PDF: seal keeper and second factor."""
    if not data or len(data) > MAX_PDF_BYTES:
        raise InvalidInput(_("Give the data to sign (at most 30 MB)."), field="file")
    department, certificate = _seal_of(actor, seal, "seals.sign_data")
    _second_factor(actor, otp, "seals.sign_data", department)
    keys = sm2.KeyPair(
        _fernet().decrypt(certificate.sm2_private.encode()).decode(), certificate.sm2_public
    )
    signature = {
        "algorithm": sm2.ALGORITHM,
        "seal": department.code,
        "certificate": certificate.serial,
        "public_key": certificate.sm2_public,
        "sm3": sm2.sm3_hex(data),
        "signature": sm2.sign(data, keys),
        "signed_at": timezone.now().isoformat(timespec="seconds"),
    }
    with transaction.atomic():
        record(
            "seals.sign_data",
            obj=certificate,
            after={"sm3": signature["sm3"], "seal": department.code},
        )
    return signature


def verify_data(data: bytes, signature: dict[str, Any]) -> dict[str, Any]:
    """Check a detached SM2 signature: the digest, the signature, and the seal's certificate."""
    if not isinstance(signature, dict):
        raise InvalidInput(
            _("The signature must be the JSON object tongban gave."), field="signature"
        )
    public = str(signature.get("public_key", "")).strip().lower()
    if public.startswith("04") and len(public) == 130:
        public = public[2:]
    certificate = Certificate.objects.filter(sm2_public=public).select_related("department").first()
    try:
        valid = sm2.verify(data, str(signature.get("signature", "")), public)
    except sm2.Sm2Error as exc:
        raise InvalidInput(str(exc), field="signature") from exc
    status = "invalid"
    if valid:
        status = "valid" if certificate is not None else "untrusted"
        if certificate is not None and certificate.revoked_at is not None:
            status = "revoked"
        elif certificate is not None and certificate.not_after <= timezone.now():
            status = "expired"
    return {
        "status": status,
        "digest_matches": sm2.sm3_hex(data) == signature.get("sm3"),
        "seal": certificate.department.name if certificate and certificate.department else "",
        "revoked_at": certificate.revoked_at.isoformat()
        if certificate and certificate.revoked_at
        else None,
    }


# --- expiry warnings and the time-stamping service --------------------------------------------


def warn_expiring(days: int = 30) -> int:
    """Worker job: tell the security administrators, once per certificate, that it expires
    within ``days`` (a seal must be renewed before its certificate runs out)."""
    from tongban.notifications import services as notifications

    admins = list(User.objects.filter(admin_role="security", is_active=True))
    warned = 0
    for certificate in expiring(days):
        if certificate.expiry_warned_at is not None:
            continue
        with transaction.atomic():
            notifications.notify(
                admins,
                kind="expiry",
                title=gettext_noop("Certificate expires on %(day)s: %(subject)s"),
                params={
                    "day": timezone.localtime(certificate.not_after).date().isoformat(),
                    "subject": certificate.subject,
                },
                obj=certificate,
            )
            certificate.expiry_warned_at = timezone.now()
            certificate.save(update_fields=["expiry_warned_at"])
            record(
                "seals.certificate.expiry_warning",
                obj=certificate,
                after={"not_after": certificate.not_after.isoformat()},
            )
        warned += 1
    return warned


def timestamp_reply(request_der: bytes) -> bytes:
    """The platform's RFC 3161 time-stamping service over HTTP (``POST /ca/tsa``)."""
    try:
        return pdf.timestamp_reply(_time_stamper(_chain()), request_der)
    except pdf.PdfProblem as exc:
        raise InvalidInput(str(exc), field="request") from exc
