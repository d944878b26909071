"""Seals in the web UI: the public verification page (查验), the page a QR code leads to, the
CA's published files, sealing for seal keepers and certificates for the security administrator."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core.errors import ServiceError
from tongban.core.permissions import Action
from tongban.org import policy
from tongban.org.models import Department
from tongban.seals import pki, selectors, services
from tongban.web.views import StaffRequest, handles_not_found

STATUS_LABELS = {
    "valid": gettext_lazy("valid"),
    "invalid": gettext_lazy("invalid: the document or the signature was changed"),
    "revoked": gettext_lazy("certificate revoked"),
    "expired": gettext_lazy("certificate not valid at the signing time"),
    "untrusted": gettext_lazy("not issued by this platform's CA"),
}


PERSONAL = "__personal__"  # the choice "my own signature" on the sealing page


def _upload(request: HttpRequest) -> bytes | None:
    upload = request.FILES.get("file")
    return bytes(upload.read(services.MAX_PDF_BYTES + 1)) if upload else None


@handles_not_found
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str = "") -> HttpResponse:
    """Upload a PDF and see every signature (public; also where a document's QR code leads)."""
    document = services.signed_document(token) if token else None
    report: Any = None
    error = ""
    if request.method == "POST":
        data = _upload(request)
        try:
            if data is None:
                error = _("Choose a PDF file to check.")
            else:
                report = services.verify_pdf(data)
        except ServiceError as exc:
            error = str(exc.message)
    matches = None
    if report is not None and document is not None:
        matches = bool(report.document and report.document["token"] == document.token)
    return render(
        request,
        "web/verify.html",
        {
            "document": document,
            "report": report,
            "matches": matches,
            "error": error,
            "labels": STATUS_LABELS,
        },
        status=422 if error and request.method == "POST" else 200,
    )


@csrf_exempt  # a protocol endpoint for RFC 3161 clients: no session, no form, no state change
@require_POST
def time_stamp(request: HttpRequest) -> HttpResponse:
    """The platform's RFC 3161 time-stamping service (application/timestamp-query)."""
    if request.content_type != "application/timestamp-query":
        return HttpResponse(
            "send an RFC 3161 TimeStampReq as application/timestamp-query",
            status=415,
            content_type="text/plain",
        )
    try:
        reply = services.timestamp_reply(request.body[:65536])
    except ServiceError as exc:
        return HttpResponse(str(exc.message), status=400, content_type="text/plain")
    return HttpResponse(reply, content_type="application/timestamp-reply")


def crl(request: HttpRequest) -> HttpResponse:
    try:
        data = services.crl_der()
    except ServiceError:
        return HttpResponse(status=404)
    return HttpResponse(data, content_type="application/pkix-crl")


def root_certificate(request: HttpRequest) -> HttpResponse:
    try:
        data = pki.pem(services.root_certificate())
    except ServiceError:
        return HttpResponse(status=404)
    response = HttpResponse(data, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="tongban-root.pem"'
    return response


def _points(text: str) -> float | None:
    """A position in millimetres from the form, in PDF points (empty: the default place)."""
    text = text.strip()
    if not text:
        return None
    try:
        millimetres = float(text)
    except ValueError as exc:
        raise ServiceError(_("Give the position in millimetres, as a number.")) from exc
    if not 0 <= millimetres <= 2000:
        raise ServiceError(_("Give the position in millimetres, as a number."))
    return millimetres * 72 / 25.4


def _my_seals(user: Any) -> list[Department]:
    return [
        d
        for d in Department.objects.order_by("sort_order", "code")
        if policy.can(user, Action.SIGN_WITH_SEAL, d)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def seal_document(request: StaffRequest) -> HttpResponse:
    """用印: a seal keeper seals a PDF (or anyone with a personal certificate signs it) and
    downloads it."""
    seals = _my_seals(request.user)
    personal = services.active_personal(request.user)
    if not seals and personal is None:
        return render(
            request,
            "web/refused.html",
            {"message": _("Only seal keepers seal documents.")},
            status=403,
        )
    error = ""
    if request.method == "POST":
        data = _upload(request)
        try:
            if data is None:
                raise ServiceError(_("Choose the PDF to seal."))
            page_text = request.POST.get("page", "").strip()
            page = int(page_text) if page_text.isdecimal() and len(page_text) < 6 else None
            if page_text and page is None:
                raise ServiceError(_("Give the page as a number."))
            x, y = _points(request.POST.get("x", "")), _points(request.POST.get("y", ""))
            chosen = request.POST.get("seal", "")
            sealed, document = services.sign_pdf(
                request.user,
                data,
                seal="" if chosen == PERSONAL else chosen,
                personal=chosen == PERSONAL,
                otp=request.POST.get("otp", ""),
                page=page,
                x=x,
                y=y,
                reason=request.POST.get("reason", ""),
                filename=getattr(request.FILES.get("file"), "name", ""),
            )
        except ServiceError as exc:
            error = str(exc.message)
        else:
            response = HttpResponse(sealed, content_type="application/pdf")
            response["Content-Disposition"] = 'attachment; filename="sealed.pdf"'
            response["X-Verify-URL"] = services.verify_url(document.token)
            return response
    return render(
        request,
        "web/seal_document.html",
        {"seals": seals, "personal": personal, "personal_value": PERSONAL, "error": error},
        status=422 if error else 200,
    )


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def certificates(request: StaffRequest) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_SEALS)
    if request.method == "POST":
        try:
            certificate = services.issue_certificate(
                request.user,
                kind=request.POST.get("kind", "seal"),
                department_code=request.POST.get("department", ""),
                username=request.POST.get("username", ""),
            )
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Issued: %(subject)s") % {"subject": certificate.subject})
        return redirect("web:certificates")
    return render(
        request,
        "web/certificates.html",
        {
            "certificates": selectors.certificates(request.user)[:500],
            "departments": Department.objects.order_by("sort_order", "code"),
            "ca_ready": services.ca_ready(),
            "expiring": {c.pk for c in services.expiring()},
        },
    )


@login_required
@handles_not_found
@require_POST
def import_certificate(request: StaffRequest) -> HttpResponse:
    def read(name: str) -> bytes:
        upload = request.FILES.get(name)
        return bytes(upload.read(262144)) if upload else b""

    try:
        certificate = services.import_certificate(
            request.user,
            department_code=request.POST.get("department", ""),
            certificate_pem=read("certificate"),
            key_pem=read("key"),
            chain_pem=read("chain"),
            key_passphrase=request.POST.get("key_passphrase", ""),
        )
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Imported: %(subject)s") % {"subject": certificate.subject})
    return redirect("web:certificates")


@login_required
@handles_not_found
@require_POST
def certificate_image(request: StaffRequest, certificate_id: int) -> HttpResponse:
    upload = request.FILES.get("image")
    try:
        services.set_seal_image(
            request.user,
            certificate_id,
            bytes(upload.read(2 * 1024 * 1024 + 1)) if upload else None,
        )
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("The official image is used from now on.")
            if upload
            else _("The drawn seal is used again."),
        )
    return redirect("web:certificates")


@login_required
@require_http_methods(["GET", "POST"])
def sign_data(request: StaffRequest) -> HttpResponse:
    """国密: a seal keeper signs data that is not a PDF (licence data, a checkpoint) with SM2."""
    seals = _my_seals(request.user)
    if not seals:
        return render(
            request,
            "web/refused.html",
            {"message": _("Only seal keepers seal documents.")},
            status=403,
        )
    error, signature = "", None
    if request.method == "POST":
        try:
            signature = services.sign_data(
                request.user,
                request.POST.get("data", "").encode("utf-8"),
                seal=request.POST.get("seal", ""),
                otp=request.POST.get("otp", ""),
            )
        except ServiceError as exc:
            error = str(exc.message)
    return render(
        request,
        "web/sign_data.html",
        {
            "seals": seals,
            "error": error,
            "signature": json.dumps(signature, ensure_ascii=False, indent=1) if signature else "",
            "data": request.POST.get("data", ""),
        },
        status=422 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def verify_data(request: HttpRequest) -> HttpResponse:
    """Public: check an SM2 signature the platform gave on some data."""
    error, result = "", None
    if request.method == "POST":
        try:
            text = request.POST.get("signature", "")
            if len(text) > 4096:
                raise ValueError("too long")
            signature = json.loads(text or "null")
            result = services.verify_data(request.POST.get("data", "").encode("utf-8"), signature)
        except (ValueError, RecursionError):
            error = _("The signature must be the JSON object tongban gave.")
        except ServiceError as exc:
            error = str(exc.message)
    return render(
        request,
        "web/verify_data.html",
        {
            "error": error,
            "result": result,
            "data": request.POST.get("data", ""),
            "signature": request.POST.get("signature", ""),
            "labels": STATUS_LABELS,
        },
        status=422 if error else 200,
    )


@login_required
@handles_not_found
@require_POST
def revoke_certificate(request: StaffRequest, certificate_id: int) -> HttpResponse:
    try:
        services.revoke_certificate(
            request.user, certificate_id, reason=request.POST.get("reason", "")
        )
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Revoked."))
    return redirect("web:certificates")


@login_required
def seal_image(request: StaffRequest, code: str) -> HttpResponse:
    """A unit's seal as the certificates page shows it: the official image if one was uploaded,
    else the drawn seal (SVG). For the security administrator only."""
    from tongban.seals import appearance

    if not policy.can(request.user, Action.MANAGE_SEALS):
        return HttpResponse(status=403)
    department = Department.objects.filter(code__iexact=code).first()
    if department is None:
        return HttpResponse(status=404)
    certificate = services.active_seal(department)
    if certificate is not None and certificate.seal_image:
        return HttpResponse(bytes(certificate.seal_image), content_type="image/png")
    response = HttpResponse(appearance.svg(department.name), content_type="image/svg+xml")
    # An image, never a document that runs script, whatever a department is named.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
