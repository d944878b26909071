"""PAdES signatures on PDFs with pyHanko: the only module that imports it (import-linter checks).

``sign`` adds one visible seal (an image) at a page and position, with a timestamp from the
platform's time-stamping authority; several calls on one file give several seals (联合发文).
``inspect`` lists every signature with what pyHanko's validator says of it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from PIL import Image
from pyhanko.pdf_utils import generic, layout, writer
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tongban.seals.pki import Issued

A4 = (595.0, 842.0)  # points
SEAL_POINTS = 120.0  # 42 mm, the usual size of an official seal
QR_POINTS = 56.0  # 20 mm, readable by a phone


class PdfProblem(ValueError):
    """Not a PDF we can sign or read, or a position off the page."""


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(issued: Issued) -> asn1_keys.PrivateKeyInfo:
    der = issued.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return asn1_keys.PrivateKeyInfo.load(der)


class PlatformTimeStamper(DummyTimeStamper):
    """The platform's RFC 3161 authority, answering in process with its own TSA certificate.

    pyHanko's in-process stamper builds and signs a standard TimeStampToken; the platform's
    policy OID replaces its testing one.
    """

    POLICY = "1.3.6.1.4.1.59999.1.1"  # tongban TSA policy (private arc, see docs/seals.md)

    def _build_tst_info(self, message_imprint: Any, dt: datetime, req: Any) -> tsp.TSTInfo:
        info = super()._build_tst_info(message_imprint, dt, req)
        info["policy"] = tsp.ObjectIdentifier(self.POLICY)
        return info


def time_stamper(tsa: Issued, chain: list[x509.Certificate]) -> PlatformTimeStamper:
    return PlatformTimeStamper(
        tsa_cert=_asn1_cert(tsa.certificate),
        tsa_key=_asn1_key(tsa),
        certs_to_embed=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]),
    )


def timestamp_reply(stamper: PlatformTimeStamper, request_der: bytes) -> bytes:
    """An RFC 3161 TimeStampResp (DER) for a TimeStampReq (DER)."""
    try:
        request = tsp.TimeStampReq.load(request_der)
        _parsed = request.native  # parse it all now: a malformed request fails here
    except (ValueError, TypeError) as exc:
        raise PdfProblem(f"not an RFC 3161 request: {exc}") from exc
    return bytes(stamper.request_tsa_response(request).dump())


def page_count(data: bytes) -> int:
    try:
        return int(PdfFileReader(io.BytesIO(data), strict=False).root["/Pages"]["/Count"])
    except (PdfError, KeyError, ValueError, TypeError) as exc:
        raise PdfProblem(f"not a readable PDF: {exc}") from exc


def signature_count(data: bytes) -> int:
    try:
        return len(PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures)
    except (PdfError, KeyError, ValueError, TypeError) as exc:
        raise PdfProblem(f"not a readable PDF: {exc}") from exc


def sign(
    data: bytes,
    *,
    signer: Issued,
    chain: list[x509.Certificate],
    seal_png: bytes,
    page: int,
    x: float,
    y: float,
    field_name: str,
    reason: str,
    location: str,
    stamper: PlatformTimeStamper | None,
    qr_png: bytes | None = None,
    size: float = SEAL_POINTS,
) -> bytes:
    """The PDF with one more PAdES signature; the seal drawn at (x, y) (points from the bottom
    left) of ``page`` (1-based). A QR code (``qr_png``) goes beside the seal in the same signed
    revision, so it cannot be swapped without breaking the signature."""
    pages = page_count(data)
    if not 1 <= page <= pages:
        raise PdfProblem(f"page {page} does not exist (the document has {pages})")
    try:
        w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        page_ref, _resources = w.find_page_for_modification(page - 1)
        box = page_ref.get_object().get("/MediaBox") or [0, 0, *A4]
        width, height = float(box[2]), float(box[3])
    except (PdfError, KeyError, IndexError, ValueError, TypeError) as exc:
        raise PdfProblem(f"not a PDF tongban can sign: {exc}") from exc
    if not (0 <= x <= width - size and 0 <= y <= height - size):
        raise PdfProblem(f"the seal ({size:.0f} pt) does not fit at ({x:.0f}, {y:.0f})")
    if qr_png is not None:
        qr_size = QR_POINTS
        qx = x + size + 6 if x + size + 6 + qr_size <= width else max(x - 6 - qr_size, 0)
        qr_style = StaticStampStyle(
            background=PdfImage(Image.open(io.BytesIO(qr_png)).convert("RGB")), border_width=0
        )
        qr_style.create_stamp(w, layout.BoxConstraints(width=qr_size, height=qr_size), {}).apply(
            page - 1, int(qx), int(y)
        )
    fields.append_signature_field(
        w,
        fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=page - 1,
            box=(int(x), int(y), int(x + size), int(y + size)),
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
        use_pades_lta=False,
    )
    simple = signers.SimpleSigner(
        signing_cert=_asn1_cert(signer.certificate),
        signing_key=_asn1_key(signer),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]),
    )
    style = StaticStampStyle(
        background=PdfImage(Image.open(io.BytesIO(seal_png)).convert("RGBA")),
        border_width=0,
        background_opacity=1.0,
    )
    try:
        out = signers.PdfSigner(
            meta, signer=simple, stamp_style=style, timestamper=stamper
        ).sign_pdf(w)
    except (SigningError, PdfError) as exc:
        raise PdfProblem(f"signing failed: {exc}") from exc
    return bytes(out.getvalue())


@dataclass
class Finding:
    """What one signature in a file says, and what the validator makes of it."""

    field_name: str
    signer_subject: str
    serial: int
    signed_at: datetime | None
    timestamped: bool
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    changed_after: bool
    problems: list[str] = field(default_factory=list)


def _readable(name: Any) -> str:
    """“示范市财政局（公章，示范市人民政府）” from a certificate's subject."""
    parts = name.native if name is not None else {}
    common = parts.get("common_name", "")
    extra = [
        v for v in (parts.get("organizational_unit_name"), parts.get("organization_name")) if v
    ]
    return f"{common}（{'，'.join(extra)}）" if extra else str(common)


def inspect(data: bytes, *, trust_roots: list[x509.Certificate]) -> list[Finding]:
    """Every signature in the file, validated against the platform's roots (no network)."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise PdfProblem(f"not a readable PDF: {exc}") from exc
    roots = [_asn1_cert(c) for c in trust_roots]
    findings = []
    for sig in embedded:
        problems: list[str] = []
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        try:
            status = validate_pdf_signature(sig, context, skip_diff=False)
        except (SignatureValidationError, PdfError, ValueError) as exc:
            cert = sig.signer_cert
            findings.append(
                Finding(
                    field_name=sig.field_name or "",
                    signer_subject=_readable(cert.subject) if cert else "",
                    serial=int(cert.serial_number) if cert else 0,
                    signed_at=None,
                    timestamped=False,
                    intact=False,
                    valid=False,
                    trusted=False,
                    covers_whole_file=False,
                    changed_after=True,
                    problems=[str(exc)[:300]],
                )
            )
            continue
        coverage = getattr(status.coverage, "name", str(status.coverage))
        whole = coverage == "ENTIRE_FILE"
        level = getattr(status.modification_level, "name", "")
        changed = not whole and level not in ("NONE", "LTA_UPDATES", "FORM_FILLING")
        if not status.intact:
            problems.append("the signed bytes were changed (digest mismatch)")
        if not status.trusted:
            problems.append("the certificate does not chain to the platform's root")
        stamp = status.timestamp_validity
        signed_at = stamp.timestamp if stamp is not None else status.signer_reported_dt
        findings.append(
            Finding(
                field_name=sig.field_name or "",
                signer_subject=_readable(status.signing_cert.subject),
                serial=int(status.signing_cert.serial_number),
                signed_at=signed_at,
                timestamped=stamp is not None and bool(stamp.intact and stamp.valid),
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                covers_whole_file=whole,
                changed_after=changed,
                problems=problems,
            )
        )
    return findings


def text_document(pages: int, title: str = "tongban") -> bytes:
    """A plain A4 PDF of ``pages`` pages of Latin text (for the demo and the benchmark)."""
    w = writer.PdfFileWriter()
    font = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Font"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
            generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
        }
    )
    resources = generic.DictionaryObject(
        {
            generic.pdf_name("/Font"): generic.DictionaryObject(
                {generic.pdf_name("/F1"): w.add_object(font)}
            )
        }
    )
    for number in range(1, pages + 1):
        lines = [f"BT /F1 12 Tf 72 770 Td ({title}) Tj ET"] + [
            f"BT /F1 10 Tf 72 {740 - 14 * i} Td (Page {number}, line {i + 1}: the quick brown fox.) Tj ET"
            for i in range(48)
        ]
        stream = generic.StreamObject(stream_data="\n".join(lines).encode("ascii"))
        w.insert_page(
            writer.PageObject(
                contents=w.add_object(stream), media_box=[0, 0, *A4], resources=resources
            )
        )
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()
