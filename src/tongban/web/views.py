"""Web UI views: parse the form, call a service or selector, render. No logic of their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from functools import wraps
from itertools import chain
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongban.audit import selectors as audit_selectors
from tongban.core import calendar
from tongban.core.errors import NotFound, ServiceError
from tongban.core.permissions import ADMIN_ONLY_ACTIONS, Action, Classification
from tongban.identity import services as identity
from tongban.identity import totp
from tongban.identity.models import User
from tongban.org import importing, policy, selectors, services
from tongban.org.models import Delegation, RoleAssignment
from tongban.web import forms
from tongban.workflow import selectors as workflow_selectors

View = Callable[..., HttpResponseBase]


class StaffRequest(HttpRequest):
    """A request from a signed-in person (the views below all require sign-in)."""

    user: User


def set_choices(form: Any, name: str, choices: list[tuple[str, str]]) -> None:
    form.fields[name].choices = choices


def service_errors(form: Any, exc: ServiceError) -> None:
    """Show a service's refusal next to the fields it names (or above the form)."""
    placed = False
    for field, msgs in (exc.errors or {}).items():
        for message in msgs:
            if field in form.fields:
                form.add_error(field, message)
                placed = True
    if not placed:
        form.add_error(None, str(exc.message))


def handles_not_found(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            return render(request, "web/not_found.html", status=404)
        except ServiceError as exc:
            return render(request, "web/refused.html", {"message": exc.message}, status=exc.status)

    return wrapper


# --- public pages and sign-in --------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:workbench")
    return render(request, "web/home.html")


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = forms.SignInForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
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
            login(request, user, backend="tongban.identity.backends.StaffBackend")
            return redirect(next_url or "web:workbench")
    return render(
        request,
        "web/sign_in.html",
        {"form": form, "next": next_url, "help": identity.sign_in_help()},
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    identity.record_sign_out(request.user)
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("web:sign_in")


@login_required
@require_http_methods(["GET", "POST"])
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
            if exc.errors.get("password"):
                exc.errors = {"new_password": exc.errors["password"]}
            service_errors(form, exc)
        else:
            login(request, request.user, backend="tongban.identity.backends.StaffBackend")
            messages.success(request, _("Your password has been changed."))
            return redirect("web:workbench")
    expired = identity.password_expired(request.user)
    return render(request, "web/change_password.html", {"form": form, "expired": expired})


# --- workbench -----------------------------------------------------------------------------


@login_required
def workbench(request: StaffRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    context = {
        "today": today,
        "is_working_day": calendar.is_working_day(today),
        "next_working_day": calendar.add_working_days(today, 1),
        "staff_visible": selectors.staff_for(user).count()
        if policy.can(user, Action.VIEW_STAFF)
        else None,
        "departments_visible": selectors.departments_for(user).count(),
        "grants": policy.explain(user),
        "task_counts": workflow_selectors.counts(user),
        "tasks": workflow_selectors.inbox(user, workflow_selectors.InboxFilter("todo"))[:6],
        "delegations_to_me": Delegation.objects.filter(
            delegate=user, ends_at__gt=timezone.now(), revoked_at__isnull=True
        ).select_related("delegator"),
    }
    return render(request, "web/workbench.html", context)


# --- departments ---------------------------------------------------------------------------


def _department_choices(user: Any, blank: bool = True) -> list[tuple[str, str]]:
    rows = [(d.code, "　" * d.depth + d.name) for d in selectors.departments_for(user)]
    return ([("", _("— none (top level) —"))] if blank else []) + rows


@login_required
def departments(request: StaffRequest) -> HttpResponse:
    tree = selectors.flatten(selectors.department_tree(request.user))
    can_manage = policy.can(request.user, Action.MANAGE_DEPARTMENT)
    return render(request, "web/departments.html", {"rows": tree, "can_manage": can_manage})


@login_required
@handles_not_found
def department_detail(request: StaffRequest, code: str) -> HttpResponse:
    dept = selectors.department_by_code(request.user, code)
    staff = (
        selectors.staff_for(request.user, department=dept)
        if policy.can(request.user, Action.VIEW_STAFF)
        else []
    )
    children = selectors.departments_for(request.user).filter(parent=dept)
    return render(
        request,
        "web/department_detail.html",
        {
            "dept": dept,
            "staff": staff,
            "children": children,
            "can_manage": policy.can(request.user, Action.MANAGE_DEPARTMENT, dept),
        },
    )


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def department_edit(request: StaffRequest, code: str | None = None) -> HttpResponse:
    # The service decides; refusing the empty form early only spares the person a useless page.
    policy.require(request.user, Action.MANAGE_DEPARTMENT)
    dept = selectors.department_by_code(request.user, code) if code else None
    initial = {}
    if dept:
        initial = {
            "code": dept.code,
            "name": dept.name,
            "short_name": dept.short_name,
            "kind": dept.kind,
            "parent": dept.parent.code if dept.parent else "",
            "issuing_code": dept.issuing_code,
            "sort_order": dept.sort_order,
        }
    else:
        initial = {"parent": request.GET.get("parent", "")}
    form = forms.DepartmentForm(request.POST or None, initial=initial)
    set_choices(form, "parent", _department_choices(request.user))
    if dept:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent = (
            selectors.department_by_code(request.user, data["parent"]) if data["parent"] else None
        )
        try:
            if dept:
                dept = services.update_department(
                    request.user,
                    dept,
                    name=data["name"],
                    short_name=data["short_name"],
                    kind=data["kind"],
                    parent=parent,
                    issuing_code=data["issuing_code"],
                    sort_order=data["sort_order"] or 0,
                )
            else:
                dept = services.create_department(
                    request.user,
                    code=data["code"],
                    name=data["name"],
                    kind=data["kind"],
                    parent=parent,
                    short_name=data["short_name"],
                    issuing_code=data["issuing_code"],
                    sort_order=data["sort_order"] or 0,
                )
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("web:department_detail", code=dept.code)
    return render(request, "web/department_form.html", {"form": form, "dept": dept})


# --- staff ---------------------------------------------------------------------------------


@login_required
@handles_not_found
def staff_list(request: StaffRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    code = request.GET.get("department", "")
    dept = selectors.department_by_code(request.user, code) if code else None
    qs = selectors.staff_for(request.user, q=q, department=dept, include_below=True)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    template = (
        "web/_staff_rows.html" if request.headers.get("HX-Request") else "web/staff_list.html"
    )
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        template,
        {
            "page": page,
            "query": query.urlencode(),
            "q": q,
            "department": dept,
            "departments": _department_choices(request.user, blank=False),
            "can_manage": policy.can(request.user, Action.MANAGE_STAFF),
        },
    )
    # The same URL answers a whole page or, for htmx, only the rows: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def people_suggest(request: StaffRequest) -> HttpResponse:
    """The options of a "hand over to / add" field (a datalist filled by htmx as one types):
    login names, shown with the name and department."""
    people = selectors.colleagues(request.user, request.GET.get("to", ""))
    response = render(request, "web/_people_options.html", {"people": people})
    add_never_cache_headers(response)
    return response


@login_required
@handles_not_found
def staff_detail(request: StaffRequest, staff_id: int) -> HttpResponse:
    staff = selectors.staff_by_id(request.user, staff_id)
    user = request.user
    return render(
        request,
        "web/staff_detail.html",
        {
            "staff": staff,
            "assignments": selectors.assignments_of(user, staff.user),
            "can_manage": policy.can(user, Action.MANAGE_STAFF, staff),
            "can_reveal": user.pk == staff.user_id
            or policy.can(user, Action.VIEW_PERSONAL_DATA, staff),
            "can_grant_clearance": policy.can(user, Action.GRANT_CLEARANCE)
            and user.pk != staff.user_id,
            "clearance_form": forms.ClearanceForm(initial={"clearance": staff.user.clearance}),
            "can_assign": policy.can(user, Action.MANAGE_ROLE) and user.pk != staff.user_id,
        },
    )


@login_required
@handles_not_found
@require_POST
def staff_reveal(request: StaffRequest, staff_id: int) -> HttpResponse:
    staff = selectors.staff_by_id(request.user, staff_id)
    data = services.reveal_personal_data(request.user, staff)
    response = render(request, "web/staff_personal_data.html", {"staff": staff, "data": data})
    add_never_cache_headers(response)  # whole ID and phone numbers: never kept by a browser
    return response


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def staff_edit(request: StaffRequest, staff_id: int | None = None) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_STAFF)
    staff = selectors.staff_by_id(request.user, staff_id) if staff_id else None
    initial: dict[str, Any] = {"department": request.GET.get("department", "")}
    if staff:
        u = staff.user
        initial = {
            "username": u.username,
            "display_name": u.display_name,
            "department": staff.department.code,
            "position": staff.position.code if staff.position else "",
            "phone": u.phone,
            "id_number": u.id_number,
            "email": u.email,
            "office_phone": staff.office_phone,
        }
    form = forms.StaffForm(request.POST or None, initial=initial)
    set_choices(form, "department", _department_choices(request.user, blank=False))
    set_choices(form, "position", [("", "—")] + [(p.code, p.name) for p in selectors.positions()])
    if staff:
        form.fields["username"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dept = selectors.department_by_code(request.user, data["department"])
        try:
            if staff:
                services.update_staff(
                    request.user,
                    staff,
                    display_name=data["display_name"],
                    department=dept,
                    position=data["position"] or None,
                    phone=data["phone"],
                    id_number=data["id_number"],
                    email=data["email"],
                    office_phone=data["office_phone"],
                )
                messages.success(request, _("Saved."))
            else:
                staff, password = services.create_staff(
                    request.user,
                    department=dept,
                    username=data["username"],
                    display_name=data["display_name"],
                    position=data["position"] or None,
                    phone=data["phone"],
                    id_number=data["id_number"],
                    email=data["email"],
                    office_phone=data["office_phone"],
                )
                messages.success(
                    request,
                    _(
                        "Account created. Initial password (shown once, must be changed at first sign-in): %(p)s"
                    )
                    % {"p": password},
                )
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            return redirect("web:staff_detail", staff_id=staff.pk)
    return render(request, "web/staff_form.html", {"form": form, "staff": staff})


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def staff_import(request: StaffRequest) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_STAFF)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = importing.read_rows(upload.name, upload)
            report = services.import_staff(request.user, rows, dry_run=form.cleaned_data["dry_run"])
        except ServiceError as exc:
            service_errors(form, exc)
    return render(request, "web/staff_import.html", {"form": form, "report": report})


@login_required
@handles_not_found
@require_POST
def staff_clearance(request: StaffRequest, staff_id: int) -> HttpResponse:
    staff = selectors.staff_by_id(request.user, staff_id)
    form = forms.ClearanceForm(request.POST)
    if form.is_valid():
        identity.grant_clearance(request.user, staff.user, form.cleaned_data["clearance"])
        messages.success(request, _("Clearance changed."))
    return redirect("web:staff_detail", staff_id=staff.pk)


@login_required
@handles_not_found
@require_POST
def staff_set_active(request: StaffRequest, staff_id: int) -> HttpResponse:
    staff = selectors.staff_by_id(request.user, staff_id)
    identity.set_active(request.user, staff.user, request.POST.get("active") == "1")
    messages.success(request, _("Saved."))
    return redirect("web:staff_detail", staff_id=staff.pk)


@login_required
@handles_not_found
@require_POST
def staff_reset_password(request: StaffRequest, staff_id: int) -> HttpResponse:
    staff = selectors.staff_by_id(request.user, staff_id)
    password = identity.reset_password(request.user, staff.user)
    messages.success(
        request,
        _("New password (shown once, must be changed at next sign-in): %(p)s") % {"p": password},
    )
    return redirect("web:staff_detail", staff_id=staff.pk)


# --- roles ---------------------------------------------------------------------------------


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def roles(request: StaffRequest) -> HttpResponse:
    policy.require(request.user, Action.VIEW_ROLE)
    form = forms.RoleForm(request.POST or None)
    set_choices(
        form,
        "permissions",
        [(a.value, str(a.label)) for a in Action if a.value not in ADMIN_ONLY_ACTIONS],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.define_role(
                request.user,
                code=data["code"],
                name=data["name"],
                permissions=data["permissions"],
                default_scope=data["default_scope"],
                description=data["description"],
            )
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Role defined."))
            return redirect("web:roles")
    return render(
        request,
        "web/roles.html",
        {
            "roles": selectors.roles_for(request.user),
            "form": form,
            "can_manage": policy.can(request.user, Action.MANAGE_ROLE),
        },
    )


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def role_detail(request: StaffRequest, code: str) -> HttpResponse:
    role = selectors.role_by_code(request.user, code)
    form = forms.AssignRoleForm(request.POST or None)
    set_choices(form, "department", _department_choices(request.user, blank=False))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = User.objects.filter(username__iexact=data["username"]).first()
        if person is None:
            form.add_error("username", _("No account with this login name."))
        else:
            try:
                services.assign_role(
                    request.user,
                    user=person,
                    role=role,
                    department=selectors.department_by_code(request.user, data["department"]),
                    scope=data["scope"] or None,
                )
            except ServiceError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, _("Role assigned."))
                return redirect("web:role_detail", code=role.code)
    assignments = RoleAssignment.objects.filter(role=role).select_related("user", "department")
    return render(
        request,
        "web/role_detail.html",
        {
            "role": role,
            "assignments": assignments,
            "form": form,
            "can_manage": policy.can(request.user, Action.MANAGE_ROLE),
        },
    )


@login_required
@handles_not_found
@require_POST
def role_revoke(request: StaffRequest, assignment_id: int) -> HttpResponse:
    assignment = (
        RoleAssignment.objects.select_related("role", "user", "department")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise NotFound()
    services.revoke_role(request.user, assignment)
    messages.success(request, _("Role revoked."))
    return redirect("web:role_detail", code=assignment.role.code)


# --- my account ----------------------------------------------------------------------------

TOTP_SESSION_KEY = "tongban_totp_pending"


@login_required
@require_http_methods(["GET", "POST"])
def account(request: StaffRequest) -> HttpResponse:
    user: User = request.user
    token_form = forms.TokenForm(request.POST if request.POST.get("form") == "token" else None)
    delegation_form = forms.DelegationForm(
        request.POST if request.POST.get("form") == "delegation" else None
    )
    new_token = None
    if request.method == "POST" and request.POST.get("form") == "token" and token_form.is_valid():
        try:
            new_token = identity.issue_token(
                user, token_form.cleaned_data["name"], token_form.cleaned_data["days"]
            )
        except ServiceError as exc:
            service_errors(token_form, exc)
    if (
        request.method == "POST"
        and request.POST.get("form") == "delegation"
        and delegation_form.is_valid()
    ):
        data = delegation_form.cleaned_data
        colleague = User.objects.filter(username__iexact=data["delegate"]).first()
        if colleague is None:
            delegation_form.add_error("delegate", _("No account with this login name."))
        else:
            try:
                services.delegate(
                    user,
                    delegate_user=colleague,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    reason=data["reason"],
                )
            except ServiceError as exc:
                service_errors(delegation_form, exc)
            else:
                messages.success(request, _("Delegation saved."))
                return redirect("web:account")
    return render(
        request,
        "web/account.html",
        {
            "me": user,
            "staff": selectors.staff_of_user(user),
            "assignments": selectors.assignments_of(user, user),
            "tokens": user.api_tokens.all(),
            "token_form": token_form,
            "new_token": new_token,
            "delegation_form": delegation_form,
            "delegations": Delegation.objects.filter(delegator=user).select_related("delegate")[
                :20
            ],
            "clearance_label": Classification(user.clearance).label,
        },
    )


@login_required
@require_POST
def token_revoke(request: StaffRequest, token_id: int) -> HttpResponse:
    try:
        identity.revoke_token(request.user, token_id)
        messages.success(request, _("Token revoked."))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("web:account")


@login_required
@require_POST
def delegation_revoke(request: StaffRequest, delegation_id: int) -> HttpResponse:
    delegation = Delegation.objects.filter(pk=delegation_id, delegator=request.user).first()
    if delegation is not None:
        services.revoke_delegation(request.user, delegation)
        messages.success(request, _("Delegation ended."))
    return redirect("web:account")


@login_required
@require_http_methods(["GET", "POST"])
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
            return redirect("web:account")
    uri = totp.provisioning_uri(secret, user.username)
    qr_svg = segno.make(uri, error="m").svg_inline(
        scale=4, title=_("Scan with your authenticator app")
    )
    return render(
        request, "web/totp_setup.html", {"form": form, "secret": secret, "qr_svg": qr_svg}
    )


# --- working-day calendar ------------------------------------------------------------------


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def calendar_page(request: StaffRequest) -> HttpResponse:
    from tongban.core.models import WorkingDayOverride

    policy.require(request.user, Action.MANAGE_CALENDAR)
    form = forms.CalendarOverrideForm(request.POST or None)
    if request.method == "POST" and request.POST.get("clear"):
        try:
            services.clear_working_day(request.user, date.fromisoformat(request.POST["clear"]))
            messages.success(request, _("Arrangement removed."))
        except (ServiceError, ValueError):
            messages.error(request, _("There is no local arrangement for that day."))
        return redirect("web:calendar")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_working_day(
                request.user,
                data["day"],
                is_working_day=data["is_working_day"],
                reason=data["reason"],
            )
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("web:calendar")
    today = timezone.localdate()
    span = calendar.WorkingDays()
    span.preload(today, today + timedelta(days=41))  # one query for the six weeks shown
    days = [
        (today + timedelta(days=i), span.is_working_day(today + timedelta(days=i)))
        for i in range(42)
    ]
    return render(
        request,
        "web/calendar.html",
        {
            "form": form,
            "overrides": WorkingDayOverride.objects.order_by("-day")[:100],
            "days": days,
            "in_20": calendar.add_working_days(today, 20),
        },
    )


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
    qs = audit_selectors.audit_entries(request.user, flt)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "web/audit.html", {"form": form, "page": page, "query": query.urlencode()}
    )


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
