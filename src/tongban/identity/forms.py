"""Forms of sign-in and one's own credentials. They only parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SignInForm(forms.Form):
    username = forms.CharField(label=_("Login name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=200)
    otp = forms.CharField(
        label=_("One-time code"),
        required=False,
        max_length=10,
        help_text=_("Only if your account uses a second factor (required for administrators)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ChangePasswordForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=30)


class TotpConfirmForm(forms.Form):
    secret = forms.CharField(widget=forms.HiddenInput)
    otp = forms.CharField(label=_("Code from the app"), max_length=10)


class NextForm(forms.Form):
    """Where to go after signing in (checked against the host before it is used)."""

    next = forms.CharField(required=False, max_length=2000)
