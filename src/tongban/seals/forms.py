"""Forms of the seal pages. The pages draw their own fields; these parse what is sent, and the
services check meaning (which seal, the one-time code, the certificate)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

PERSONAL = "__personal__"  # the choice "my own signature" on the sealing page


def _millimetres(value: str) -> float | None:
    """A position in millimetres from the form, in PDF points (empty: the default place)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        millimetres = float(value)
    except ValueError:
        raise forms.ValidationError(_("Give the position in millimetres, as a number.")) from None
    if not 0 <= millimetres <= 2000:
        raise forms.ValidationError(_("Give the position in millimetres, as a number."))
    return millimetres * 72 / 25.4


class PdfUploadForm(forms.Form):
    file = forms.FileField(required=False)


class SealPdfForm(PdfUploadForm):
    """用印 on a PDF: which seal (or one's own signature), where, why, and the one-time code."""

    seal = forms.CharField(required=False, max_length=100)
    page = forms.CharField(required=False, max_length=10)
    x = forms.CharField(required=False, max_length=20)
    y = forms.CharField(required=False, max_length=20)
    reason = forms.CharField(required=False, max_length=200)
    otp = forms.CharField(required=False, max_length=10)

    def clean_page(self) -> int | None:
        text = (self.cleaned_data.get("page") or "").strip()
        if not text:
            return None
        if not text.isdecimal() or len(text) >= 6:
            raise forms.ValidationError(_("Give the page as a number."))
        return int(text)

    def clean_x(self) -> float | None:
        return _millimetres(self.cleaned_data.get("x") or "")

    def clean_y(self) -> float | None:
        return _millimetres(self.cleaned_data.get("y") or "")

    def sealing(self) -> dict[str, Any]:
        """The arguments of ``services.sign_pdf`` besides the file."""
        data = self.cleaned_data
        personal = data["seal"] == PERSONAL
        return {
            "seal": "" if personal else data["seal"],
            "personal": personal,
            "otp": data["otp"],
            "page": data["page"],
            "x": data["x"],
            "y": data["y"],
            "reason": data["reason"],
        }


class IssueCertificateForm(forms.Form):
    kind = forms.CharField(required=False, max_length=20)
    department = forms.CharField(required=False, max_length=100)
    username = forms.CharField(required=False, max_length=150)


class ImportCertificateForm(forms.Form):
    department = forms.CharField(required=False, max_length=100)
    certificate = forms.FileField(required=False)
    key = forms.FileField(required=False)
    chain = forms.FileField(required=False)
    key_passphrase = forms.CharField(required=False, max_length=500, strip=False)


class SealImageForm(forms.Form):
    image = forms.FileField(required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(required=False, max_length=300)


class SignDataForm(forms.Form):
    # Named as the page's field; the form's bound data stays ``self.data`` (fields are not
    # attributes of a form).
    data = forms.CharField(required=False, strip=False)  # type: ignore[assignment]
    seal = forms.CharField(required=False, max_length=100)
    otp = forms.CharField(required=False, max_length=10)


class VerifyDataForm(forms.Form):
    data = forms.CharField(required=False, strip=False)  # type: ignore[assignment]
    signature = forms.CharField(required=False, strip=False)

    def clean_signature(self) -> Any:
        text = self.cleaned_data.get("signature") or ""
        try:
            if len(text) > 4096:
                raise ValueError("too long")
            return json.loads(text or "null")
        except (ValueError, RecursionError):
            raise forms.ValidationError(
                _("The signature must be the JSON object tongban gave.")
            ) from None
