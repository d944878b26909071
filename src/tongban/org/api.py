"""Departments, staff, roles and the signed-in person (``/me``). Thin: parse → service/selector
→ schema."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Router, Status

from tongban.core import arrangements, calendar
from tongban.core.http import idempotency, pagination
from tongban.core.permissions import Action
from tongban.identity.http import ApiRequest
from tongban.org import selectors, services
from tongban.org.http import requires
from tongban.org.schemas import (
    ArrangementIn,
    AssignmentIn,
    AssignmentOut,
    DepartmentIn,
    DepartmentOut,
    DepartmentPage,
    DepartmentPatch,
    MeOut,
    PersonalDataOut,
    RoleIn,
    RoleOut,
    StaffCreated,
    StaffIn,
    StaffOut,
    StaffPage,
    StaffPatch,
    YearOut,
)

router = Router(tags=["organisation"])


@router.get("/departments", response=DepartmentPage, summary="List departments")
def list_departments(
    request: ApiRequest, cursor: str | None = None, limit: int | None = None, q: str = ""
) -> dict:
    qs = selectors.departments_for(request.auth)
    if q:
        qs = qs.filter(name__icontains=q[:50])
    items, nxt = pagination.page(qs, cursor=cursor, limit=limit)
    return pagination.envelope(items, nxt)


@router.get("/departments/{code}", response=DepartmentOut, summary="One department")
def get_department(request: ApiRequest, code: str) -> object:
    return selectors.department_by_code(request.auth, code)


@router.post(
    "/departments",
    auth=requires(Action.MANAGE_DEPARTMENT),
    response={201: DepartmentOut},
    summary="Create a department",
)
def create_department(request: ApiRequest, payload: DepartmentIn) -> HttpResponse:
    def create() -> tuple[int, dict]:
        dept = services.create_department(
            request.auth,
            code=payload.code,
            name=payload.name,
            kind=payload.kind,
            parent=payload.parent,
            short_name=payload.short_name,
            issuing_code=payload.issuing_code,
            sort_order=payload.sort_order,
        )
        return 201, DepartmentOut.from_orm(dept).model_dump(mode="json")

    return idempotency.run(request, create)


@router.patch(
    "/departments/{code}",
    auth=requires(Action.MANAGE_DEPARTMENT),
    response=DepartmentOut,
    summary="Change a department",
)
def update_department(request: ApiRequest, code: str, payload: DepartmentPatch) -> object:
    return services.update_department(request.auth, code, **payload.model_dump(exclude_unset=True))


@router.get("/staff", response=StaffPage, summary="List or search staff")
def list_staff(
    request: ApiRequest,
    q: str = "",
    department: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> dict:
    dept = selectors.department_by_code(request.auth, department) if department else None
    qs = selectors.staff_for(request.auth, q=q, department=dept, include_below=True)
    items, nxt = pagination.page(qs, cursor=cursor, limit=limit)
    return pagination.envelope(items, nxt)


@router.get(
    "/staff/{staff_id}", response=StaffOut, summary="One staff member (personal data masked)"
)
def get_staff(request: ApiRequest, staff_id: int) -> object:
    return selectors.staff_by_id(request.auth, staff_id)


@router.get(
    "/staff/{staff_id}/personal-data",
    response=PersonalDataOut,
    summary="Read a staff member's personal data unmasked (audited)",
)
def get_personal_data(request: ApiRequest, staff_id: int) -> object:
    return services.reveal_personal_data(request.auth, staff_id)


@router.post(
    "/staff",
    auth=requires(Action.MANAGE_STAFF),
    response={201: StaffCreated},
    summary="Create a staff account",
)
def create_staff(request: ApiRequest, payload: StaffIn) -> HttpResponse:
    def create() -> tuple[int, dict]:
        staff, password = services.create_staff(
            request.auth,
            department=payload.department,
            username=payload.username,
            display_name=payload.display_name,
            position=payload.position,
            phone=payload.phone,
            id_number=payload.id_number,
            email=payload.email,
            office_phone=payload.office_phone,
        )
        body = StaffOut.from_orm(staff).model_dump(mode="json")
        body["initial_password"] = password
        return 201, body

    return idempotency.run(request, create)


@router.patch(
    "/staff/{staff_id}",
    auth=requires(Action.MANAGE_STAFF),
    response=StaffOut,
    summary="Change a staff member",
)
def update_staff(request: ApiRequest, staff_id: int, payload: StaffPatch) -> object:
    changes = payload.model_dump(exclude_unset=True)
    if not changes.get("department"):
        changes.pop("department", None)
    return services.update_staff(request.auth, staff_id, **changes)


@router.get("/roles", response=list[RoleOut], summary="List roles")
def list_roles(request: ApiRequest) -> object:
    return list(selectors.roles_for(request.auth))


@router.post(
    "/roles", auth=requires(Action.MANAGE_ROLE), response={201: RoleOut}, summary="Define a role"
)
def define_role(request: ApiRequest, payload: RoleIn) -> HttpResponse:
    def create() -> tuple[int, dict]:
        role = services.define_role(
            request.auth,
            code=payload.code,
            name=payload.name,
            permissions=payload.permissions,
            default_scope=payload.default_scope,
            description=payload.description,
        )
        return 201, RoleOut.from_orm(role).model_dump(mode="json")

    return idempotency.run(request, create)


@router.post(
    "/roles/{code}/assignments",
    auth=requires(Action.MANAGE_ROLE),
    response={201: AssignmentOut},
    summary="Assign a role",
)
def assign_role(request: ApiRequest, code: str, payload: AssignmentIn) -> HttpResponse:
    def create() -> tuple[int, dict]:
        assignment = services.assign_role(
            request.auth,
            username=payload.username,
            role=code,
            department=payload.department,
            scope=payload.scope,
        )
        return 201, AssignmentOut.from_orm(assignment).model_dump(mode="json")

    return idempotency.run(request, create)


@router.delete(
    "/role-assignments/{assignment_id}",
    auth=requires(Action.MANAGE_ROLE),
    response={204: None},
    summary="Revoke a role",
)
def revoke_role(request: ApiRequest, assignment_id: int) -> Status:
    services.revoke_role(request.auth, assignment_id)
    return Status(204, None)


@router.get("/me", response=MeOut, summary="The signed-in person")
def me(request: ApiRequest) -> dict:
    return selectors.me(request.auth)


# --- the national holiday arrangement of each year (年度节假日安排) ---------------------------


def _year(year: int) -> dict:
    arrangement = arrangements.arrangement_of(year)
    out: dict = {"year": year, "source": calendar.year_source(year).value}
    if arrangement is not None:
        holidays, workdays = arrangements.arrangement_ranges(arrangement)
        out |= {
            "notice": arrangement.notice,
            "entered_by": arrangement.entered_by_username,
            "updated_at": arrangement.updated_at,
            "holidays": [vars(h) for h in holidays],
            "workdays": [vars(w) for w in workdays],
            "disagreements": [d.day for d in calendar.disagreements(year)],
        }
    return out


@router.get(
    "/calendar/years", response=list[YearOut], summary="Which years' holiday arrangements are known"
)
def list_years(request: ApiRequest) -> list[dict]:
    return [_year(row.year) for row in arrangements.overview()]


@router.get("/calendar/years/{year}", response=YearOut, summary="A year's holiday arrangement")
def get_year(request: ApiRequest, year: int) -> dict:
    return _year(year)


@router.put(
    "/calendar/years/{year}",
    response=YearOut,
    summary="Enter or correct a year's State Council holiday arrangement (system administrator)",
    auth=requires(Action.ENTER_HOLIDAY_ARRANGEMENT),
)
def put_year(request: ApiRequest, year: int, payload: ArrangementIn) -> dict:
    services.enter_holiday_arrangement(
        request.auth,
        year,
        notice=payload.notice,
        holidays=[arrangements.HolidayRange(h.name, h.first, h.last) for h in payload.holidays],
        workdays=[arrangements.MakeUpDay(w.day, w.name) for w in payload.workdays],
    )
    return _year(year)


@router.delete(
    "/calendar/years/{year}",
    response={204: None},
    summary="Withdraw an entered arrangement",
    auth=requires(Action.ENTER_HOLIDAY_ARRANGEMENT),
)
def delete_year(request: ApiRequest, year: int) -> HttpResponse:
    services.withdraw_holiday_arrangement(request.auth, year)
    return HttpResponse(status=204)
