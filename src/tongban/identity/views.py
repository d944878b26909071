"""Sign-in, sign-out, one's password, the second factor (TOTP) and personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core.errors import ServiceError
from tongban.core.http.forms import service_errors
from tongban.core.http.views import GET_POST
from tongban.identity import forms, totp
from tongban.identity import services as identity
from tongban.identity.http import StaffRequest
from tongban.identity.models import User

BACKEND = "tongban.identity.backends.StaffBackend"


@require_http_methods(GET_POST)
def sign_in(request: HttpRequest) -> HttpResponse:
    form = forms.SignInForm(request.POST or None)
    target = forms.NextForm(request.POST if request.method == "POST" else request.GET)
    next_url = target.cleaned_data["next"] if target.is_valid() else ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = identity.authenticate_staff(
                form.cleaned_data["username"],
                form.cleaned_data["password"],
                form.cleaned_data["otp"],
            )
        except identity.SecondFactorRequired as exc:
            form.add_error("otp", str(exc.message))
        except ServiceError as exc:
            form.add_error(None, str(exc.message))
        else:
            login(request, user, backend=BACKEND)
            return redirect(next_url or "web:workbench")
    return render(
        request,
        "identity/sign_in.html",
        {"form": form, "next": next_url, "help": identity.sign_in_help()},
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    identity.record_sign_out(request.user)
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("identity:sign_in")


@login_required
@require_http_methods(GET_POST)
def change_password(request: StaffRequest) -> HttpResponse:
    form = forms.ChangePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            identity.change_own_password(
                request.user,
                form.cleaned_data["old_password"],
                form.cleaned_data["new_password"],
            )
        except ServiceError as exc:
            service_errors(form, exc, rename={"password": "new_password"})
        else:
            login(request, request.user, backend=BACKEND)
            messages.success(request, _("Your password has been changed."))
            return redirect("web:workbench")
    expired = identity.password_expired(request.user)
    return render(request, "identity/change_password.html", {"form": form, "expired": expired})


TOTP_SESSION_KEY = "tongban_totp_pending"


@login_required
@require_http_methods(GET_POST)
def totp_setup(request: StaffRequest) -> HttpResponse:
    import segno

    user: User = request.user
    secret = request.session.get(TOTP_SESSION_KEY) or identity.begin_totp_enrolment(user)
    request.session[TOTP_SESSION_KEY] = secret
    form = forms.TotpConfirmForm(request.POST or None, initial={"secret": secret})
    if request.method == "POST" and form.is_valid():
        try:
            identity.confirm_totp(user, secret, form.cleaned_data["otp"])
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            del request.session[TOTP_SESSION_KEY]
            messages.success(request, _("Second factor enabled."))
            return redirect("org:account")
    uri = totp.provisioning_uri(secret, user.username)
    qr_svg = segno.make(uri, error="m").svg_inline(
        scale=4, title=_("Scan with your authenticator app")
    )
    return render(
        request, "identity/totp_setup.html", {"form": form, "secret": secret, "qr_svg": qr_svg}
    )


@login_required
@require_POST
def token_revoke(request: StaffRequest, token_id: int) -> HttpResponse:
    try:
        identity.revoke_token(request.user, token_id)
        messages.success(request, _("Token revoked."))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("org:account")
