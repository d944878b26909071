"""Organisation pages: departments, staff and roles. Thin: parse a form, call a service or
selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core.errors import ServiceError
from tongban.core.http.forms import service_errors, set_choices
from tongban.core.http.views import GET_POST, handles_not_found, paginate
from tongban.identity.http import StaffRequest
from tongban.org import forms, importing, selectors, services

# --- departments ---------------------------------------------------------------------------


@login_required
def departments(request: StaffRequest) -> HttpResponse:
    tree = selectors.flatten(selectors.department_tree(request.user))
    may = selectors.org_permissions(request.user)
    return render(
        request, "org/departments.html", {"rows": tree, "can_manage": may.manage_departments}
    )


@login_required
@handles_not_found
def department_detail(request: StaffRequest, code: str) -> HttpResponse:
    dept = selectors.department_by_code(request.user, code)
    may = selectors.org_permissions(request.user)
    return render(
        request,
        "org/department_detail.html",
        {
            "dept": dept,
            "staff": selectors.staff_for(request.user, department=dept) if may.view_staff else [],
            "children": selectors.departments_for(request.user).filter(parent=dept),
            "can_manage": selectors.may_manage_department(request.user, dept),
        },
    )


def _department_initial(request: StaffRequest, code: str | None) -> dict[str, Any]:
    if not code:
        return {"parent": request.GET.get("parent", "")}
    dept = selectors.department_by_code(request.user, code)
    return {
        "code": dept.code,
        "name": dept.name,
        "short_name": dept.short_name,
        "kind": dept.kind,
        "parent": dept.parent.code if dept.parent else "",
        "issuing_code": dept.issuing_code,
        "sort_order": dept.sort_order,
    }


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def department_edit(request: StaffRequest, code: str | None = None) -> HttpResponse:
    # The service decides; refusing the empty form early only spares the person a useless page.
    selectors.require_manage_departments(request.user)
    form = forms.DepartmentForm(request.POST or None, initial=_department_initial(request, code))
    set_choices(form, "parent", selectors.department_choices(request.user))
    if code:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "short_name": data["short_name"],
            "kind": data["kind"],
            "parent": data["parent"] or None,
            "issuing_code": data["issuing_code"],
            "sort_order": data["sort_order"] or 0,
        }
        try:
            if code:
                dept = services.update_department(request.user, code, **fields)
            else:
                dept = services.create_department(request.user, code=data["code"], **fields)
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:department_detail", code=dept.code)
    editing = selectors.department_by_code(request.user, code) if code else None
    return render(request, "org/department_form.html", {"form": form, "dept": editing})


# --- staff ---------------------------------------------------------------------------------


@login_required
@handles_not_found
def staff_list(request: StaffRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    code = request.GET.get("department", "")
    dept = selectors.department_by_code(request.user, code) if code else None
    rows = selectors.staff_for(request.user, q=q, department=dept, include_below=True)
    page, query = paginate(request, rows, 50)
    template = (
        "org/_staff_rows.html" if request.headers.get("HX-Request") else "org/staff_list.html"
    )
    response = render(
        request,
        template,
        {
            "page": page,
            "query": query,
            "q": q,
            "department": dept,
            "departments": selectors.department_choices(request.user, blank=False),
            "can_manage": selectors.org_permissions(request.user).manage_staff,
        },
    )
    # The same URL answers a whole page or, for htmx, only the rows: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


# The names a person field may have (``org/_person_field.html``).
PERSON_FIELDS = ("to", "readers")


@login_required
def people_suggest(request: StaffRequest) -> HttpResponse:
    """The options of a person field (a datalist filled by htmx as one types): login names,
    shown with the name and department. The field's name is ``to`` (转办, 加签) unless ``field``
    names another (``readers`` of 传阅)."""
    field = request.GET.get("field", "to")
    if field not in PERSON_FIELDS:
        field = "to"
    people = selectors.colleagues(request.user, request.GET.get(field, ""))
    response = render(request, "org/_people_options.html", {"people": people})
    add_never_cache_headers(response)
    return response


@login_required
@handles_not_found
def staff_detail(request: StaffRequest, staff_id: int) -> HttpResponse:
    staff = selectors.staff_by_id(request.user, staff_id)
    may = selectors.staff_page_permissions(request.user, staff)
    return render(
        request,
        "org/staff_detail.html",
        {
            "staff": staff,
            "assignments": selectors.assignments_of(request.user, staff.user),
            "can_manage": may.manage,
            "can_reveal": may.reveal,
            "can_grant_clearance": may.grant_clearance,
            "clearance_form": forms.ClearanceForm(initial={"clearance": staff.user.clearance}),
            "can_assign": may.assign_roles,
        },
    )


@login_required
@handles_not_found
@require_POST
def staff_reveal(request: StaffRequest, staff_id: int) -> HttpResponse:
    data = services.reveal_personal_data(request.user, staff_id)
    staff = selectors.staff_by_id(request.user, staff_id)
    response = render(request, "org/staff_personal_data.html", {"staff": staff, "data": data})
    add_never_cache_headers(response)  # whole ID and phone numbers: never kept by a browser
    return response


def _staff_initial(request: StaffRequest, staff_id: int | None) -> dict[str, Any]:
    if not staff_id:
        return {"department": request.GET.get("department", "")}
    staff = selectors.staff_by_id(request.user, staff_id)
    user = staff.user
    return {
        "username": user.username,
        "display_name": user.display_name,
        "department": staff.department.code,
        "position": staff.position.code if staff.position else "",
        "phone": user.phone,
        "id_number": user.id_number,
        "email": user.email,
        "office_phone": staff.office_phone,
    }


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def staff_edit(request: StaffRequest, staff_id: int | None = None) -> HttpResponse:
    selectors.require_manage_staff(request.user)
    form = forms.StaffForm(request.POST or None, initial=_staff_initial(request, staff_id))
    set_choices(form, "department", selectors.department_choices(request.user, blank=False))
    set_choices(form, "position", selectors.position_choices())
    if staff_id:
        form.fields["username"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "display_name": data["display_name"],
            "department": data["department"],
            "position": data["position"] or None,
            "phone": data["phone"],
            "id_number": data["id_number"],
            "email": data["email"],
            "office_phone": data["office_phone"],
        }
        try:
            if staff_id:
                staff = services.update_staff(request.user, staff_id, **fields)
                messages.success(request, _("Saved."))
            else:
                staff, password = services.create_staff(
                    request.user, username=data["username"], **fields
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
            return redirect("org:staff_detail", staff_id=staff.pk)
    editing = selectors.staff_by_id(request.user, staff_id) if staff_id else None
    return render(request, "org/staff_form.html", {"form": form, "staff": editing})


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def staff_import(request: StaffRequest) -> HttpResponse:
    selectors.require_manage_staff(request.user)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = importing.read_rows(upload.name, upload)
            report = services.import_staff(request.user, rows, dry_run=form.cleaned_data["dry_run"])
        except ServiceError as exc:
            service_errors(form, exc)
    return render(request, "org/staff_import.html", {"form": form, "report": report})


@login_required
@handles_not_found
@require_POST
def staff_clearance(request: StaffRequest, staff_id: int) -> HttpResponse:
    form = forms.ClearanceForm(request.POST)
    if form.is_valid():
        services.grant_clearance(request.user, staff_id, form.cleaned_data["clearance"])
        messages.success(request, _("Clearance changed."))
    else:
        selectors.staff_by_id(request.user, staff_id)  # a 404 before saying what is wrong
        messages.error(request, _("Choose a clearance from the list."))
    return redirect("org:staff_detail", staff_id=staff_id)


@login_required
@handles_not_found
@require_POST
def staff_set_active(request: StaffRequest, staff_id: int) -> HttpResponse:
    form = forms.ActiveForm(request.POST)
    if form.is_valid():
        services.set_staff_active(request.user, staff_id, form.cleaned_data["active"])
        messages.success(request, _("Saved."))
    else:
        selectors.staff_by_id(request.user, staff_id)  # a 404 before saying what is wrong
        messages.error(request, _("Choose whether the account is active."))
    return redirect("org:staff_detail", staff_id=staff_id)


@login_required
@handles_not_found
@require_POST
def staff_reset_password(request: StaffRequest, staff_id: int) -> HttpResponse:
    password = services.reset_staff_password(request.user, staff_id)
    messages.success(
        request,
        _("New password (shown once, must be changed at next sign-in): %(p)s") % {"p": password},
    )
    return redirect("org:staff_detail", staff_id=staff_id)


# --- roles ---------------------------------------------------------------------------------


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def roles(request: StaffRequest) -> HttpResponse:
    selectors.require_view_roles(request.user)
    form = forms.RoleForm(request.POST or None)
    set_choices(form, "permissions", selectors.role_permission_choices())
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
            return redirect("org:roles")
    return render(
        request,
        "org/roles.html",
        {
            "roles": selectors.roles_for(request.user),
            "form": form,
            "can_manage": selectors.org_permissions(request.user).manage_roles,
        },
    )


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def role_detail(request: StaffRequest, code: str) -> HttpResponse:
    role = selectors.role_by_code(request.user, code)
    form = forms.AssignRoleForm(request.POST or None)
    set_choices(form, "department", selectors.department_choices(request.user, blank=False))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assign_role(
                request.user,
                username=data["username"],
                role=role.code,
                department=data["department"],
                scope=data["scope"] or None,
            )
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Role assigned."))
            return redirect("org:role_detail", code=role.code)
    return render(
        request,
        "org/role_detail.html",
        {
            "role": role,
            "assignments": selectors.assignments_of_role(request.user, role),
            "form": form,
            "can_manage": selectors.org_permissions(request.user).manage_roles,
        },
    )


@login_required
@handles_not_found
@require_POST
def role_revoke(request: StaffRequest, assignment_id: int) -> HttpResponse:
    assignment = services.revoke_role(request.user, assignment_id)
    messages.success(request, _("Role revoked."))
    return redirect("org:role_detail", code=assignment.role.code)
