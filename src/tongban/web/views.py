"""The pages web keeps: the public home page, the staff workbench, and the security auditor's
trail (audit sits below identity, so its few pages live here). Thin: parse → selector → render."""

from __future__ import annotations

from itertools import chain

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tongban.audit import selectors as audit_selectors
from tongban.core import calendar
from tongban.core.http.views import handles_not_found, paginate
from tongban.identity.http import StaffRequest
from tongban.org import selectors as org_selectors
from tongban.web import forms
from tongban.workflow import selectors as workflow_selectors


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:workbench")
    return render(request, "web/home.html")


@login_required
def workbench(request: StaffRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    may = org_selectors.org_permissions(user)
    context = {
        "today": today,
        "is_working_day": calendar.is_working_day(today),
        "next_working_day": calendar.add_working_days(today, 1),
        "staff_visible": org_selectors.staff_for(user).count() if may.view_staff else None,
        "departments_visible": org_selectors.departments_for(user).count(),
        "grants": org_selectors.explain_grants(user),
        "task_counts": workflow_selectors.counts(user),
        "tasks": workflow_selectors.inbox(user, workflow_selectors.InboxFilter("todo"))[:6],
        "delegations_to_me": org_selectors.delegations_to(user),
        "missing_arrangement": org_selectors.missing_arrangement_for(user),
    }
    return render(request, "web/workbench.html", context)


# --- audit (security auditor) --------------------------------------------------------------


def _audit_filter(
    request: HttpRequest,
) -> tuple[forms.AuditFilterForm, audit_selectors.AuditFilter]:
    form = forms.AuditFilterForm(request.GET or None)
    if form.is_valid():
        d = form.cleaned_data
        return form, audit_selectors.AuditFilter(
            actor=d["actor"],
            action=d["action"],
            object_type=d["object_type"],
            object_id=d["object_id"],
            outcome=d["outcome"],
            since=d["since"],
            until=d["until"],
        )
    return form, audit_selectors.AuditFilter()


@login_required
@handles_not_found
def audit(request: StaffRequest) -> HttpResponse:
    form, flt = _audit_filter(request)
    page, query = paginate(request, audit_selectors.audit_entries(request.user, flt), 50)
    return render(request, "web/audit.html", {"form": form, "page": page, "query": query})


@login_required
@handles_not_found
def audit_export(request: StaffRequest) -> HttpResponseBase:
    _form, flt = _audit_filter(request)
    rows = audit_selectors.export_csv(request.user, flt)
    first = next(rows)
    response = StreamingHttpResponse(chain([first], rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response


@login_required
@handles_not_found
@require_POST
def audit_verify(request: StaffRequest) -> HttpResponse:
    result = audit_selectors.verify_for(request.user)
    (messages.success if result.ok else messages.error)(request, result.describe())
    return redirect(reverse("web:audit"))
