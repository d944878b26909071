"""My account: tokens, delegation (代理), roles. Thin: parse a form, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core.errors import ServiceError
from tongban.core.http.forms import service_errors
from tongban.core.http.views import GET_POST, handles_not_found
from tongban.core.permissions import Classification
from tongban.identity import forms as identity_forms
from tongban.identity import selectors as identity_selectors
from tongban.identity import services as identity
from tongban.identity.http import StaffRequest
from tongban.org import forms, selectors, services

# --- my account ----------------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def account(request: StaffRequest) -> HttpResponse:
    user = request.user
    section = forms.AccountSectionForm(request.POST or None)
    sent = section.cleaned_data["form"] if section.is_valid() else ""
    token_form = identity_forms.TokenForm(request.POST if sent == "token" else None)
    delegation_form = forms.DelegationForm(request.POST if sent == "delegation" else None)
    new_token = None
    if sent == "token" and token_form.is_valid():
        try:
            new_token = identity.issue_token(
                user, token_form.cleaned_data["name"], token_form.cleaned_data["days"]
            )
        except ServiceError as exc:
            service_errors(token_form, exc)
    if sent == "delegation" and delegation_form.is_valid():
        data = delegation_form.cleaned_data
        try:
            services.delegate(
                user,
                delegate=data["delegate"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
            )
        except ServiceError as exc:
            service_errors(delegation_form, exc)
        else:
            messages.success(request, _("Delegation saved."))
            return redirect("org:account")
    return render(
        request,
        "org/account.html",
        {
            "me": user,
            "staff": selectors.staff_of_user(user),
            "assignments": selectors.assignments_of(user, user),
            "tokens": identity_selectors.tokens_of(user),
            "token_form": token_form,
            "new_token": new_token,
            "delegation_form": delegation_form,
            "delegations": selectors.delegations_by(user),
            "clearance_label": Classification(user.clearance).label,
        },
    )


@login_required
@handles_not_found
@require_POST
def delegation_revoke(request: StaffRequest, delegation_id: int) -> HttpResponse:
    services.revoke_delegation(request.user, delegation_id)
    messages.success(request, _("Delegation ended."))
    return redirect("org:account")
