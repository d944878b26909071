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
from tongban.core.http.forms import valid
from tongban.core.http.views import GET_POST, handles_not_found, refused
from tongban.identity.http import StaffRequest
from tongban.seals import forms, pki, selectors, services

STATUS_LABELS = {
    "valid": gettext_lazy("valid"),
    "invalid": gettext_lazy("invalid: the document or the signature was changed"),
    "revoked": gettext_lazy("certificate revoked"),
    "expired": gettext_lazy("certificate not valid at the signing time"),
    "untrusted": gettext_lazy("not issued by this platform's CA"),
}


def _read(upload: Any, limit: int) -> bytes | None:
    return bytes(upload.read(limit + 1)) if upload else None


def _valid(form: Any) -> None:
    valid(form)


@handles_not_found
@require_http_methods(GET_POST)
def verify(request: HttpRequest, token: str = "") -> HttpResponse:
    """Upload a PDF and see every signature (public; also where a document's QR code leads)."""
    document = services.signed_document(token) if token else None
    report: Any = None
    error = ""
    if request.method == "POST":
        form = forms.PdfUploadForm(request.POST, request.FILES)
        try:
            valid(form)
            data = _read(form.cleaned_data["file"], services.MAX_PDF_BYTES)
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
        "seals/verify.html",
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


@login_required
@require_http_methods(GET_POST)
def seal_document(request: StaffRequest) -> HttpResponse:
    """用印: a seal keeper seals a PDF (or anyone with a personal certificate signs it) and
    downloads it."""
    seals = selectors.seal_departments(request.user)
    personal = selectors.personal_certificate(request.user)
    if not seals and personal is None:
        return refused(request, _("Only seal keepers seal documents."))
    error = ""
    if request.method == "POST":
        form = forms.SealPdfForm(request.POST, request.FILES)
        try:
            valid(form)
            upload = form.cleaned_data["file"]
            data = _read(upload, services.MAX_PDF_BYTES)
            if data is None:
                raise ServiceError(_("Choose the PDF to seal."))
            sealed, document = services.sign_pdf(
                request.user, data, filename=upload.name or "", **form.sealing()
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
        "seals/seal_document.html",
        {
            "seals": seals,
            "personal": personal,
            "personal_value": forms.PERSONAL,
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def certificates(request: StaffRequest) -> HttpResponse:
    departments = selectors.certificate_departments(request.user)
    if request.method == "POST":
        form = forms.IssueCertificateForm(request.POST)
        try:
            valid(form)
            certificate = services.issue_certificate(
                request.user,
                kind=form.cleaned_data["kind"] or "seal",
                department_code=form.cleaned_data["department"],
                username=form.cleaned_data["username"],
            )
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Issued: %(subject)s") % {"subject": certificate.subject})
        return redirect("seals:certificates")
    return render(
        request,
        "seals/certificates.html",
        {
            "certificates": selectors.certificates(request.user)[:500],
            "departments": departments,
            "ca_ready": services.ca_ready(),
            "expiring": {c.pk for c in services.expiring()},
        },
    )


@login_required
@handles_not_found
@require_POST
def import_certificate(request: StaffRequest) -> HttpResponse:
    form = forms.ImportCertificateForm(request.POST, request.FILES)
    try:
        valid(form)
        data = form.cleaned_data
        certificate = services.import_certificate(
            request.user,
            department_code=data["department"],
            certificate_pem=_read(data["certificate"], 262143) or b"",
            key_pem=_read(data["key"], 262143) or b"",
            chain_pem=_read(data["chain"], 262143) or b"",
            key_passphrase=data["key_passphrase"],
        )
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Imported: %(subject)s") % {"subject": certificate.subject})
    return redirect("seals:certificates")


@login_required
@handles_not_found
@require_POST
def certificate_image(request: StaffRequest, certificate_id: int) -> HttpResponse:
    form = forms.SealImageForm(request.POST, request.FILES)
    try:
        valid(form)
        image = _read(form.cleaned_data["image"], 2 * 1024 * 1024)
        services.set_seal_image(request.user, certificate_id, image)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("The official image is used from now on.")
            if image
            else _("The drawn seal is used again."),
        )
    return redirect("seals:certificates")


@login_required
@require_http_methods(GET_POST)
def sign_data(request: StaffRequest) -> HttpResponse:
    """国密: a seal keeper signs data that is not a PDF (licence data, a checkpoint) with SM2."""
    seals = selectors.seal_departments(request.user)
    if not seals:
        return refused(request, _("Only seal keepers seal documents."))
    error, signature, data = "", None, ""
    if request.method == "POST":
        form = forms.SignDataForm(request.POST)
        try:
            valid(form)
            data = form.cleaned_data["data"]
            signature = services.sign_data(
                request.user,
                data.encode("utf-8"),
                seal=form.cleaned_data["seal"],
                otp=form.cleaned_data["otp"],
            )
        except ServiceError as exc:
            error = str(exc.message)
    return render(
        request,
        "seals/sign_data.html",
        {
            "seals": seals,
            "error": error,
            "signature": json.dumps(signature, ensure_ascii=False, indent=1) if signature else "",
            "data": data,
        },
        status=422 if error else 200,
    )


@require_http_methods(GET_POST)
def verify_data(request: HttpRequest) -> HttpResponse:
    """Public: check an SM2 signature the platform gave on some data."""
    error, result = "", None
    form = forms.VerifyDataForm(request.POST or None)
    if request.method == "POST":
        try:
            valid(form)
            result = services.verify_data(
                form.cleaned_data["data"].encode("utf-8"), form.cleaned_data["signature"]
            )
        except ServiceError as exc:
            error = str(exc.message)
    return render(
        request,
        "seals/verify_data.html",
        {
            "error": error,
            "result": result,
            "data": form["data"].value() or "",
            "signature": form["signature"].value() or "",
            "labels": STATUS_LABELS,
        },
        status=422 if error else 200,
    )


@login_required
@handles_not_found
@require_POST
def revoke_certificate(request: StaffRequest, certificate_id: int) -> HttpResponse:
    form = forms.RevokeForm(request.POST)
    try:
        valid(form)
        services.revoke_certificate(
            request.user, certificate_id, reason=form.cleaned_data["reason"]
        )
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Revoked."))
    return redirect("seals:certificates")


@login_required
@handles_not_found
def seal_image(request: StaffRequest, code: str) -> HttpResponse:
    """A unit's seal as the certificates page shows it (the security administrator's)."""
    content, content_type = selectors.seal_image(request.user, code)
    response = HttpResponse(content, content_type=content_type)
    # An image, never a document that runs script, whatever a department is named.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
