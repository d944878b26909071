"""Forms of the records pages (档案). They parse what the pages send; the services decide."""

from __future__ import annotations

from django import forms


class KeepForm(forms.Form):
    """鉴定 — keep a record longer."""

    retention = forms.CharField(required=False, max_length=10)
    reason = forms.CharField(required=False)


class ReasonForm(forms.Form):
    """A disposal proposed or rejected, with the reason."""

    reason = forms.CharField(required=False)


class ApprovalForm(forms.Form):
    note = forms.CharField(required=False)


class FondsForm(forms.Form):
    """全宗: a unit's fonds code and name."""

    department = forms.CharField(required=False, max_length=100)
    code = forms.CharField(required=False, max_length=20)
    name = forms.CharField(required=False, max_length=200)


class PackageForm(forms.Form):
    """A transfer package to check (四性检测)."""

    file = forms.FileField(required=False)
