"""Seals: certificates (security administrator), sealing (seal keepers), verification (anyone).
Thin: parse → service → schema."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from tongban.core.http.schemas import ReasonIn
from tongban.core.permissions import Action
from tongban.identity.http import ApiRequest
from tongban.org.http import guarded, requires
from tongban.seals import selectors, services
from tongban.seals.schemas import CertificateIn, CertificateOut, SignDataIn, VerifyDataIn

router = Router(tags=["seals"])
# Seal keepers, and those who hold a personal signing certificate.
SIGNERS = guarded(lambda user, _path: selectors.require_signer(user))


def _read(file: UploadedFile) -> bytes:
    return bytes(file.read(services.MAX_PDF_BYTES + 1))


@router.post("/seals/verify", auth=None, summary="Verify the signatures of a PDF (public)")
def verify(request: HttpRequest, file: UploadedFile = File(...)) -> dict:  # noqa: B008
    return services.verify_pdf(_read(file)).as_dict()


@router.post(
    "/seals/sign",
    auth=SIGNERS,
    summary="Seal a PDF (seal keeper) or sign it personally (personal=true), with a one-time "
    "code; answers the sealed PDF",
    response={200: None},
)
def sign(
    request: ApiRequest,
    file: UploadedFile = File(...),  # noqa: B008
    seal: str = Form(""),
    personal: bool = Form(False),
    otp: str = Form(""),
    page: int | None = Form(None),
    x: float | None = Form(None),
    y: float | None = Form(None),
    reason: str = Form(""),
) -> HttpResponse:
    sealed, document = services.sign_pdf(
        request.auth,
        _read(file),
        seal=seal,
        personal=personal,
        otp=otp,
        page=page,
        x=x,
        y=y,
        reason=reason,
        filename=file.name or "",
    )
    response = HttpResponse(sealed, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="sealed.pdf"'
    response["X-Verify-URL"] = services.verify_url(document.token)
    return response


@router.get("/seals/certificates", response=list[CertificateOut], summary="Certificates (admin)")
def list_certificates(request: ApiRequest) -> object:
    return list(selectors.certificates(request.auth).order_by("-created_at")[:500])


@router.post(
    "/seals/certificates",
    auth=requires(Action.MANAGE_SEALS),
    response={201: CertificateOut},
    summary="Issue a certificate",
)
def issue(request: ApiRequest, payload: CertificateIn) -> Status:
    certificate = services.issue_certificate(
        request.auth,
        kind=payload.kind,
        department_code=payload.department,
        username=payload.username,
        days=payload.days,
    )
    return Status(201, certificate)


@router.post(
    "/seals/certificates/import",
    auth=requires(Action.MANAGE_SEALS),
    response={201: CertificateOut},
    summary="Import a seal certificate issued by an outside CA, with its key and CA chain",
)
def import_certificate(
    request: ApiRequest,
    department: str = Form(...),
    certificate: UploadedFile = File(...),  # noqa: B008
    key: UploadedFile = File(...),  # noqa: B008
    chain: UploadedFile = File(...),  # noqa: B008
    key_passphrase: str = Form(""),
) -> Status:
    imported = services.import_certificate(
        request.auth,
        department_code=department,
        certificate_pem=bytes(certificate.read(65536)),
        key_pem=bytes(key.read(65536)),
        chain_pem=bytes(chain.read(262144)),
        key_passphrase=key_passphrase,
    )
    return Status(201, imported)


@router.post(
    "/seals/certificates/{certificate_id}/image",
    auth=requires(Action.MANAGE_SEALS),
    response=CertificateOut,
    summary="Upload the official seal image (PNG) instead of the drawn one",
)
def seal_image(
    request: ApiRequest,
    certificate_id: int,
    image: UploadedFile = File(...),  # noqa: B008
) -> object:
    return services.set_seal_image(
        request.auth, certificate_id, bytes(image.read(2 * 1024 * 1024 + 1))
    )


@router.post(
    "/seals/certificates/{certificate_id}/revoke",
    auth=requires(Action.MANAGE_SEALS),
    response=CertificateOut,
    summary="Revoke",
)
def revoke(request: ApiRequest, certificate_id: int, payload: ReasonIn) -> object:
    return services.revoke_certificate(request.auth, certificate_id, reason=payload.reason)


@router.post(
    "/seals/sign-data",
    auth=requires(Action.SIGN_WITH_SEAL),
    summary="SM2/SM3 detached signature on data (seal keeper)",
)
def sign_data(request: ApiRequest, payload: SignDataIn) -> dict:
    return services.sign_data(
        request.auth, payload.data.encode("utf-8"), seal=payload.seal, otp=payload.otp
    )


@router.post("/seals/verify-data", auth=None, summary="Check an SM2 detached signature (public)")
def verify_data(request: HttpRequest, payload: VerifyDataIn) -> dict:
    return services.verify_data(payload.data.encode("utf-8"), payload.signature)


@router.get("/seals/documents/{token}", auth=None, summary="A sealed document's record (public)")
def document(request: HttpRequest, token: str) -> dict:
    return services.document_record(services.signed_document(token))
