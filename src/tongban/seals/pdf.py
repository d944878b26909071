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
        imprint = request["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        digest = imprint["hashed_message"].native
    except Exception as exc:  # any decoding failure means "not a request"
        raise PdfProblem(f"not an RFC 3161 request: {exc}") from exc
    if TSA_DIGESTS.get(algorithm) != len(digest or b""):
        raise PdfProblem("the message imprint must be a SHA-256, SHA-384 or SHA-512 digest")
    return bytes(stamper.request_tsa_response(request).dump())


TSA_DIGESTS = {"sha256": 32, "sha384": 48, "sha512": 64}  # what the TSA stamps, by length


def page_count(data: bytes) -> int:
    try:
        return int(PdfFileReader(io.BytesIO(data), strict=False).root["/Pages"]["/Count"])
    except Exception as exc:  # any parser failure means "not a readable PDF"
        raise PdfProblem(f"not a readable PDF: {exc}") from exc


def signature_count(data: bytes) -> int:
    try:
        return len(PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures)
    except Exception as exc:  # any parser failure means "not a readable PDF"
        raise PdfProblem(f"not a readable PDF: {exc}") from exc


def _page_box(reader: Any, page: int) -> tuple[float, float, float, float]:
    """Left, bottom, width and height of a page, its /MediaBox inherited from the page tree."""
    try:
        page_ref, _resources = reader.find_page_for_modification(page - 1)
        node: Any = page_ref.get_object()
        while node is not None and "/MediaBox" not in node:
            node = node.get("/Parent")
            node = node.get_object() if node is not None else None
        box = [float(v) for v in (node["/MediaBox"] if node is not None else [0, 0, *A4])]
    except Exception as exc:  # any parser failure means "cannot sign this"
        raise PdfProblem(f"not a PDF tongban can sign: {exc}") from exc
    return box[0], box[1], box[2] - box[0], box[3] - box[1]


def place(
    width: float,
    height: float,
    x: float | None,
    y: float | None,
    *,
    size: float = SEAL_POINTS,
    qr: bool = True,
) -> tuple[float, float]:
    """Where the seal goes: as asked, or near the bottom right with room for the QR code."""
    if x is None:
        x = max(width - 72 - size - (QR_POINTS + 6 if qr else 0), 0)
    if y is None:
        y = 120.0
    if not (0 <= x <= width - size and 0 <= y <= height - size):
        raise PdfProblem(f"the seal ({size:.0f} pt) does not fit at ({x:.0f}, {y:.0f})")
    return x, y


def check_position(data: bytes, page: int, x: float | None, y: float | None, qr: bool) -> None:
    """Refuse a page or a position off the document before anything is spent on it."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
    except Exception as exc:  # any parser failure means "not a readable PDF"
        raise PdfProblem(f"not a readable PDF: {exc}") from exc
    _left, _bottom, width, height = _page_box(reader, page)
    place(width, height, x, y, qr=qr)


def sign(
    data: bytes,
    *,
    signer: Issued,
    chain: list[x509.Certificate],
    seal_png: bytes,
    page: int,
    x: float | None,
    y: float | None,
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
    except Exception as exc:  # any parser failure means "cannot sign this"
        raise PdfProblem(f"not a PDF tongban can sign: {exc}") from exc
    left, bottom, width, height = _page_box(w, page)
    x, y = place(width, height, x, y, size=size, qr=qr_png is not None)
    x, y = x + left, y + bottom
    width += left
    if qr_png is not None:
        qr_size = QR_POINTS
        qx = x + size + 6 if x + size + 6 + qr_size <= width else max(x - 6 - qr_size, left)
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
    cert_sha256: str
    signed_at: datetime | None
    timestamped: bool
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    changed_after: bool
    problems: list[str] = field(default_factory=list)
    form_filling_after: bool = False


def _readable(name: Any) -> str:
    """“示范市财政局（公章，示范市人民政府）” from a certificate's subject."""
    parts = name.native if name is not None else {}
    common = parts.get("common_name", "")
    extra = [
        v for v in (parts.get("organizational_unit_name"), parts.get("organization_name")) if v
    ]
    return f"{common}（{'，'.join(extra)}）" if extra else str(common)


MAX_SIGNATURES = 20  # a public endpoint: a file with hundreds of signature fields is refused


def _broken(sig: Any, reason: str) -> Finding:
    try:
        cert = sig.signer_cert
    except Exception:  # a mangled signature may not even yield its certificate
        cert = None
    return Finding(
        field_name=str(getattr(sig, "field_name", "") or ""),
        signer_subject=_readable(cert.subject) if cert is not None else "",
        serial=int(cert.serial_number) if cert is not None else 0,
        cert_sha256="",
        signed_at=None,
        timestamped=False,
        intact=False,
        valid=False,
        trusted=False,
        covers_whole_file=False,
        changed_after=True,
        problems=[reason[:300]],
    )


def _validate(sig: Any, roots: list[Any]) -> Any:
    """pyHanko's verdict; a certificate that expired since is judged at the trusted timestamp's
    time (a seal stays good after its certificate ends, if it was made while it was valid)."""
    status = validate_pdf_signature(
        sig, ValidationContext(trust_roots=roots, allow_fetching=False), skip_diff=False
    )
    stamp = status.timestamp_validity
    if not status.trusted and stamp is not None and stamp.intact and stamp.valid and stamp.trusted:
        status = validate_pdf_signature(
            sig,
            ValidationContext(trust_roots=roots, allow_fetching=False, moment=stamp.timestamp),
            skip_diff=False,
        )
    return status


def inspect(data: bytes, *, trust_roots: list[x509.Certificate]) -> list[Finding]:
    """Every signature in the file, validated against the given roots (no network). A signature
    that cannot be read at all is reported as invalid, not raised."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # any parser failure means "not a readable PDF"
        raise PdfProblem(f"not a readable PDF: {exc}") from exc
    if len(embedded) > MAX_SIGNATURES:
        raise PdfProblem(f"more than {MAX_SIGNATURES} signatures")
    roots = [_asn1_cert(c) for c in trust_roots]
    findings = []
    for sig in embedded:
        try:
            status = _validate(sig, roots)
        except Exception as exc:  # a damaged signature is invalid, whatever broke
            findings.append(_broken(sig, str(exc) or type(exc).__name__))
            continue
        problems: list[str] = []
        coverage = getattr(status.coverage, "name", str(status.coverage))
        level = getattr(status.modification_level, "name", "")
        if not status.intact:
            problems.append("the signed bytes were changed (digest mismatch)")
        if not status.trusted:
            problems.append("the certificate does not chain to a trusted root")
        stamp = status.timestamp_validity
        signed_at = stamp.timestamp if stamp is not None else status.signer_reported_dt
        findings.append(
            Finding(
                field_name=sig.field_name or "",
                signer_subject=_readable(status.signing_cert.subject),
                serial=int(status.signing_cert.serial_number),
                cert_sha256=status.signing_cert.sha256.hex(),
                signed_at=signed_at,
                timestamped=stamp is not None and bool(stamp.intact and stamp.valid),
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                covers_whole_file=coverage == "ENTIRE_FILE",
                changed_after=coverage != "ENTIRE_FILE" and level not in ("NONE", "LTA_UPDATES"),
                problems=problems,
                form_filling_after=level == "FORM_FILLING",
            )
        )
    # What came after a signature counts as unchanged only if it is a further signature: form
    # filling (adding a seal is form filling) is accepted when a later, intact signature covers
    # the whole file, so the later signer sealed what is there now.
    later_seal_covers = False
    for finding in reversed(findings):
        if finding.form_filling_after and later_seal_covers:
            finding.changed_after = False
        if finding.covers_whole_file and finding.intact and finding.valid:
            later_seal_covers = True
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
