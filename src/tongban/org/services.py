"""Every change to the organisation: permission check → transaction → audit entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongban.audit.services import record, record_denied
from tongban.core import arrangements, calendar
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.core.models import HolidayArrangement
from tongban.core.permissions import ADMIN_ONLY_ACTIONS, Action
from tongban.identity import services as identity
from tongban.identity.models import User
from tongban.org import policy, selectors
from tongban.org.models import (
    DataScope,
    Delegation,
    Department,
    DepartmentKind,
    Position,
    Role,
    RoleAssignment,
    Staff,
    code_validator,
)

# --- departments ---------------------------------------------------------------------------


def department_summary(d: Department) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "short_name": d.short_name,
        "kind": d.kind,
        "parent": d.parent.code if d.parent_id and d.parent else None,
        "issuing_code": d.issuing_code,
        "is_active": d.is_active,
    }


def _clean_department(
    code: str | None,
    name: str | None,
    kind: str | None,
    short_name: str | None,
    issuing_code: str | None,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if code is not None:
        code = code.strip()
        try:
            code_validator(code)
        except Exception:
            errors["code"] = [str(code_validator.message)]
        cleaned["code"] = code
    if name is not None:
        name = name.strip()
        if not name:
            errors["name"] = [_("Enter the department's name.")]
        elif len(name) > 100:
            errors["name"] = [
                _("A name has at most %(max)d characters (%(n)d given).")
                % {"max": 100, "n": len(name)}
            ]
        cleaned["name"] = name
    if kind is not None:
        if kind not in DepartmentKind.values:
            errors["kind"] = [_("Choose a kind of department from the list.")]
        cleaned["kind"] = kind
    if short_name is not None:
        if len(short_name.strip()) > 30:
            errors["short_name"] = [_("A short name has at most 30 characters.")]
        cleaned["short_name"] = short_name.strip()
    if issuing_code is not None:
        if len(issuing_code.strip()) > 20:
            errors["issuing_code"] = [_("An issuing code has at most 20 characters.")]
        cleaned["issuing_code"] = issuing_code.strip()
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors=errors)
    return cleaned


def _department_ref(actor: User, code: str | None, *, field: str) -> Department | None:
    """The department an entry point names by its code, found among those the actor may see."""
    if not code:
        return None
    try:
        return selectors.department_by_code(actor, code)
    except NotFound:
        raise NotFound(_("Unknown department “%(code)s”.") % {"code": code}, field=field) from None


def _require_create_in(actor: User, action: str, parent: Department | None) -> None:
    if parent is None:
        # Only someone reaching everything may add a root of the tree.
        if not any(
            action in g.actions and g.scope == DataScope.ALL for g in policy.grants_for(actor)
        ):
            record_denied(
                action, object_type="org.department", detail=gettext_noop("top level"), actor=actor
            )
            raise Forbidden()
        return
    policy.require(actor, action, parent)


def create_department(
    actor: User,
    *,
    code: str,
    name: str,
    kind: str,
    parent: str | None = None,
    short_name: str = "",
    issuing_code: str = "",
    sort_order: int = 0,
) -> Department:
    """A new department under ``parent`` (its code; none for a root of the tree)."""
    policy.require(actor, Action.MANAGE_DEPARTMENT)  # before anything is looked up or checked
    cleaned = _clean_department(code, name, kind, short_name, issuing_code)
    parent_dept = _department_ref(actor, parent, field="parent")
    _require_create_in(actor, Action.MANAGE_DEPARTMENT, parent_dept)
    if Department.objects.filter(code__iexact=cleaned["code"]).exists():
        raise Conflict(
            _("The code “%(code)s” is already used.") % {"code": cleaned["code"]}, field="code"
        )
    try:
        with transaction.atomic():
            dept = Department.objects.create(parent=parent_dept, sort_order=sort_order, **cleaned)
            _set_path(dept)
            dept.save(update_fields=["path", "depth"])
            record("org.department.create", obj=dept, after=department_summary(dept))
    except IntegrityError as exc:
        raise Conflict(
            _("The code “%(code)s” is already used.") % {"code": cleaned["code"]}, field="code"
        ) from exc
    return dept


def _set_path(dept: Department) -> None:
    parent_path = dept.parent.path if dept.parent else "/"
    dept.path = f"{parent_path}{dept.pk}/"
    dept.depth = parent_path.count("/") - 1


def update_department(actor: User, code: str, **changes: Any) -> Department:
    """Change the department ``code``; ``parent`` is given by its code too (empty: top level)."""
    policy.require(actor, Action.MANAGE_DEPARTMENT)
    dept = selectors.department_by_code(actor, code)
    policy.require(actor, Action.MANAGE_DEPARTMENT, dept)
    new_parent = (
        _department_ref(actor, changes.pop("parent"), field="parent")
        if "parent" in changes
        else dept.parent
    )
    cleaned = _clean_department(
        changes.get("code"),
        changes.get("name"),
        changes.get("kind"),
        changes.get("short_name"),
        changes.get("issuing_code"),
    )
    if "is_active" in changes:
        cleaned["is_active"] = bool(changes["is_active"])
    if "sort_order" in changes:
        cleaned["sort_order"] = int(changes["sort_order"])
    if new_parent is not None and (
        new_parent.pk == dept.pk or new_parent.path.startswith(dept.path)
    ):
        raise InvalidInput(
            _("A department cannot be placed under itself or its own sub-units."), field="parent"
        )
    if new_parent != dept.parent:
        _require_create_in(actor, Action.MANAGE_DEPARTMENT, new_parent)
    if (
        "code" in cleaned
        and Department.objects.exclude(pk=dept.pk).filter(code__iexact=cleaned["code"]).exists()
    ):
        raise Conflict(
            _("The code “%(code)s” is already used.") % {"code": cleaned["code"]}, field="code"
        )
    with transaction.atomic():
        before = department_summary(dept)
        old_path = dept.path
        for name, value in cleaned.items():
            setattr(dept, name, value)
        dept.parent = new_parent
        _set_path(dept)
        dept.save()
        if old_path != dept.path:
            for child in Department.objects.filter(path__startswith=old_path).exclude(pk=dept.pk):
                child.path = dept.path + child.path[len(old_path) :]
                child.depth = child.path.count("/") - 2
                child.save(update_fields=["path", "depth"])
        record("org.department.update", obj=dept, before=before, after=department_summary(dept))
    policy.forget(actor)
    return dept


# --- staff ---------------------------------------------------------------------------------


def staff_summary(staff: Staff) -> dict[str, Any]:
    return {
        **identity.user_summary(staff.user),
        "department": staff.department.code,
        "position": staff.position.code if staff.position else None,
    }


def _position(code: str | None) -> Position | None:
    if not code:
        return None
    position = Position.objects.filter(code=code).first()
    if position is None:
        raise InvalidInput(_("Unknown position “%(code)s”.") % {"code": code}, field="position")
    return position


def create_staff(
    actor: User,
    *,
    department: str,
    username: str,
    display_name: str,
    position: str | None = None,
    phone: str = "",
    id_number: str = "",
    email: str = "",
    office_phone: str = "",
    password: str | None = None,
) -> tuple[Staff, str]:
    """Create an account for a staff member of ``department`` (its code); returns it and its
    initial password."""
    policy.require(actor, Action.MANAGE_STAFF)
    dept = _department_ref(actor, department, field="department")
    if dept is None:
        raise InvalidInput(_("Choose a department."), field="department")
    policy.require(actor, Action.MANAGE_STAFF, dept)
    pos = _position(position)
    if len(office_phone) > 20:
        raise InvalidInput(
            _("An office phone number has at most 20 characters."), field="office_phone"
        )
    with transaction.atomic():
        user, initial = identity.create_user(
            username=username,
            display_name=display_name,
            password=password,
            phone=phone,
            id_number=id_number,
            email=email,
        )
        staff = Staff.objects.create(
            user=user, department=dept, position=pos, office_phone=office_phone
        )
        record("org.staff.create", obj=staff, after=staff_summary(staff))
    return staff, initial


def update_staff(actor: User, staff_id: int, **changes: Any) -> Staff:
    """Change a staff member's account and post; ``department`` is given by its code."""
    policy.require(actor, Action.MANAGE_STAFF)
    staff = selectors.staff_by_id(actor, staff_id)
    policy.require(actor, Action.MANAGE_STAFF, staff)
    new_department = _department_ref(actor, changes.pop("department", None), field="department")
    if new_department is not None and new_department != staff.department:
        policy.require(actor, Action.MANAGE_STAFF, new_department)
    position_code = changes.pop("position", ...)
    office_phone = changes.pop("office_phone", None)
    with transaction.atomic():
        before = staff_summary(staff)
        identity.update_user_fields(staff.user, **changes)
        if new_department is not None:
            staff.department = new_department
        if position_code is not ...:
            staff.position = _position(position_code)
        if office_phone is not None:
            staff.office_phone = office_phone.strip()[:20]
        staff.save()
        record("org.staff.update", obj=staff, before=before, after=staff_summary(staff))
    return staff


def reveal_personal_data(actor: User, staff_id: int) -> dict[str, str]:
    """The unmasked phone and ID number; every such read is recorded (个人信息保护)."""
    staff = selectors.staff_by_id(actor, staff_id)
    if actor.pk != staff.user_id:
        policy.require(actor, Action.VIEW_PERSONAL_DATA, staff)
    record("org.staff.read_personal_data", obj=staff, actor=actor)
    return {"phone": staff.user.phone, "id_number": staff.user.id_number, "email": staff.user.email}


def grant_clearance(actor: User, staff_id: int, level: int) -> None:
    """Set a staff member's clearance (密级); the security administrator's task."""
    staff = selectors.staff_by_id(actor, staff_id)
    identity.grant_clearance(actor, staff.user, level)


def set_staff_active(actor: User, staff_id: int, active: bool) -> None:
    """Disable (or enable again) a staff member's account."""
    staff = selectors.staff_by_id(actor, staff_id)
    identity.set_active(actor, staff.user, active)


def reset_staff_password(actor: User, staff_id: int) -> str:
    """A new initial password for a staff member, shown once, to be changed at next sign-in."""
    staff = selectors.staff_by_id(actor, staff_id)
    return identity.reset_password(actor, staff.user)


# --- roles ---------------------------------------------------------------------------------


def _clean_permissions(permissions: list[str]) -> list[str]:
    unknown = [p for p in permissions if p not in Action.values]
    if unknown:
        raise InvalidInput(
            _("Unknown permission: %(p)s") % {"p": ", ".join(unknown)}, field="permissions"
        )
    reserved = [p for p in permissions if p in ADMIN_ONLY_ACTIONS]
    if reserved:
        raise InvalidInput(
            _("Only the separate administrators hold: %(p)s") % {"p": ", ".join(reserved)},
            field="permissions",
        )
    return sorted(set(permissions))


def define_role(
    actor: User,
    *,
    code: str,
    name: str,
    permissions: list[str],
    default_scope: str = DataScope.DEPARTMENT,
    description: str = "",
) -> Role:
    policy.require(actor, Action.MANAGE_ROLE)
    code = (code or "").strip()
    name = (name or "").strip()
    try:
        code_validator(code)
    except Exception as exc:
        raise InvalidInput(str(code_validator.message), field="code") from exc
    if not name or len(name) > 50:
        raise InvalidInput(_("A role name has 1 to 50 characters."), field="name")
    if default_scope not in DataScope.values:
        raise InvalidInput(_("Choose a scope from the list."), field="default_scope")
    perms = _clean_permissions(permissions)
    if Role.objects.filter(code=code).exists():
        raise Conflict(_("The code “%(code)s” is already used.") % {"code": code}, field="code")
    with transaction.atomic():
        role = Role.objects.create(
            code=code,
            name=name,
            permissions=perms,
            default_scope=default_scope,
            description=(description or "")[:200],
        )
        record(
            "org.role.define",
            obj=role,
            after={"code": code, "permissions": perms, "scope": default_scope},
        )
    return role


def assign_role(
    actor: User, *, username: str, role: str, department: str, scope: str | None = None
) -> RoleAssignment:
    """Give the account ``username`` the ``role`` (its code) over ``department`` (its code).
    Only the security administrator does this."""
    policy.require(actor, Action.MANAGE_ROLE)
    user = User.objects.filter(username__iexact=(username or "").strip()).first()
    if user is None:
        raise NotFound(_("Unknown account “%(name)s”.") % {"name": username}, field="username")
    role_obj = selectors.role_by_code(actor, role)
    dept = _department_ref(actor, department, field="department")
    if dept is None:
        raise InvalidInput(_("Choose a department."), field="department")
    return _assign(actor, user, role_obj, dept, scope)


def _assign(
    actor: User, user: User, role: Role, department: Department, scope: str | None
) -> RoleAssignment:
    if user.is_admin or user.pk == actor.pk:
        # 三员分立: administrators hold no business roles, and nobody grants to themself.
        record(
            "org.role.assign",
            obj=user,
            outcome="denied",
            detail=gettext_noop("administrator or self"),
            actor=actor,
        )
        raise Forbidden(
            _(
                "Administrators cannot hold department roles, and nobody can grant a role to themself."
            )
        )
    scope = scope or role.default_scope
    if scope not in DataScope.values:
        raise InvalidInput(_("Choose a scope from the list."), field="scope")
    if RoleAssignment.objects.filter(user=user, role=role, department=department).exists():
        raise Conflict(_("This person already holds this role for this department."))
    with transaction.atomic():
        assignment = RoleAssignment.objects.create(
            user=user, role=role, department=department, scope=scope
        )
        record(
            "org.role.assign",
            obj=user,
            after={"role": role.code, "department": department.code, "scope": scope},
        )
    policy.forget(user)
    return assignment


def revoke_role(actor: User, assignment_id: int) -> RoleAssignment:
    policy.require(actor, Action.MANAGE_ROLE)
    assignment = (
        RoleAssignment.objects.select_related("role", "user", "department")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise NotFound()
    with transaction.atomic():
        before = {
            "role": assignment.role.code,
            "department": assignment.department.code,
            "scope": assignment.scope,
        }
        user = assignment.user
        assignment.delete()
        record("org.role.revoke", obj=user, before=before)
    policy.forget(user)
    return assignment


# --- delegation ----------------------------------------------------------------------------


def delegate(
    actor: User, *, delegate: str, starts_at: datetime, ends_at: datetime, reason: str
) -> Delegation:
    """The actor lets the colleague with login name ``delegate`` act with the actor's roles from
    ``starts_at`` to ``ends_at`` (代理)."""
    if actor.is_admin:
        raise Forbidden(_("Administrators cannot delegate their powers."))
    delegate_user = User.objects.filter(username__iexact=(delegate or "").strip()).first()
    if delegate_user is None:
        raise InvalidInput(_("No account with this login name."), field="delegate")
    if delegate_user.pk == actor.pk or delegate_user.is_admin or not delegate_user.is_active:
        raise InvalidInput(_("Choose an active colleague other than yourself."), field="delegate")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give a reason for the delegation."), field="reason")
    if ends_at <= starts_at:
        raise InvalidInput(_("The end must be after the start."), field="ends_at")
    if ends_at - starts_at > timedelta(days=90):
        raise InvalidInput(_("A delegation lasts at most 90 days."), field="ends_at")
    with transaction.atomic():
        delegation = Delegation.objects.create(
            delegator=actor,
            delegate=delegate_user,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason[:200],
        )
        record(
            "org.delegation.create",
            obj=delegation,
            object_repr=f"{actor.username} → {delegate_user.username}",
            after={
                "delegate": delegate_user.username,
                "from": starts_at.isoformat(),
                "until": ends_at.isoformat(),
            },
        )
    return delegation


def revoke_delegation(actor: User, delegation_id: int) -> None:
    """End one's own delegation early; another person's is not found."""
    delegation = Delegation.objects.filter(pk=delegation_id, delegator=actor).first()
    if delegation is None:
        raise NotFound()
    with transaction.atomic():
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        record("org.delegation.revoke", obj=delegation)


# --- working-day calendar (administrator overrides of core.calendar) ----------------------


def set_working_day(actor: User, day: date, *, is_working_day: bool, reason: str) -> None:
    """A local arrangement: make ``day`` a working day or a day off (e.g. a future year's 调休)."""
    policy.require(actor, Action.MANAGE_CALENDAR)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Give the reason, e.g. the notice that sets the arrangement."), field="reason"
        )
    with transaction.atomic():
        before = calendar.is_working_day(day)
        calendar.put_override(day, is_working_day, reason[:200], actor.username)
        record(
            "core.calendar.override",
            object_type="core.workingdayoverride",
            object_id=day.isoformat(),
            before={"working": before},
            after={"working": is_working_day, "reason": reason[:200]},
        )


def clear_working_day(actor: User, day: date) -> None:
    policy.require(actor, Action.MANAGE_CALENDAR)
    with transaction.atomic():
        if not calendar.remove_override(day):
            raise NotFound(_("There is no local arrangement for that day."))
        record(
            "core.calendar.clear", object_type="core.workingdayoverride", object_id=day.isoformat()
        )


# --- national holiday arrangements (a year's State Council notice) --------------------------


def _require_arrangement_permission(actor: User) -> None:
    if not policy.can(actor, Action.ENTER_HOLIDAY_ARRANGEMENT):
        record_denied(Action.ENTER_HOLIDAY_ARRANGEMENT, actor=actor)
        raise Forbidden(
            _("Only the system administrator enters the State Council holiday arrangement.")
        )


def _arrangement_summary(
    holidays: list[arrangements.HolidayRange], workdays: list[arrangements.MakeUpDay]
) -> dict[str, list[str]]:
    def span(h: arrangements.HolidayRange) -> str:
        first = h.first.isoformat() if h.first else "?"
        last = h.last.isoformat() if h.last and h.last != h.first else ""
        return f"{h.name} {first}" + (f"..{last}" if last else "")

    return {
        "holidays": [span(h) for h in holidays],
        "workdays": [f"{w.day.isoformat() if w.day else '?'} {w.name}".strip() for w in workdays],
    }


def enter_holiday_arrangement(
    actor: User,
    year: int,
    *,
    notice: str,
    holidays: list[arrangements.HolidayRange],
    workdays: list[arrangements.MakeUpDay],
) -> HolidayArrangement:
    """Enter (or correct) the State Council notice of ``year`` (国务院办公厅关于部分节假日安排的通知)
    for a year ``chinese-calendar`` does not know: its holidays (放假) and make-up working days
    (调休上班). From then on the year is known and its time limits count in these days.

    System administrator only. Every problem is named (``InvalidInput``) and nothing is written;
    one transaction with its audit entry."""
    _require_arrangement_permission(actor)
    days = arrangements.check(year, notice, holidays, workdays)
    text = (notice or "").strip()
    with transaction.atomic():
        existing = HolidayArrangement.objects.select_for_update().filter(year=year).first()
        before = None
        if existing is not None:
            old_holidays, old_workdays = arrangements.arrangement_ranges(existing)
            before = {"notice": existing.notice, **_arrangement_summary(old_holidays, old_workdays)}
        arrangement = calendar.put_arrangement(year, text, days, actor.username)
        new_holidays, new_workdays = arrangements.ranges_of(
            (day, working, name) for day, (working, name) in days.items()
        )
        record(
            "core.calendar.arrangement.enter"
            if existing is None
            else "core.calendar.arrangement.change",
            obj=arrangement,
            object_repr=f"{year}: {text}"[:200],
            before=before,
            after={"notice": text, **_arrangement_summary(new_holidays, new_workdays)},
            actor=actor,
        )
    return arrangement


def import_holiday_arrangement(
    actor: User,
    name: str,
    data: bytes,
    *,
    year: int | None = None,
    notice: str | None = None,
) -> HolidayArrangement:
    """Enter a year's notice from a small CSV or JSON file (``core.arrangements.parse_file``).
    ``year`` and ``notice`` given here win over the file's; a year that differs from the file's
    is refused."""
    _require_arrangement_permission(actor)
    parsed = arrangements.parse_file(name, data)
    if year is not None and parsed.year is not None and year != parsed.year:
        raise InvalidInput(
            _("The file is for %(file)s, not %(year)s.") % {"file": parsed.year, "year": year},
            field="file",
        )
    chosen = year if year is not None else parsed.year
    if chosen is None:
        raise InvalidInput(
            _("The file's days are not all in one year: say which year it is for."), field="year"
        )
    return enter_holiday_arrangement(
        actor,
        chosen,
        notice=(notice or "").strip() or parsed.notice,
        holidays=parsed.holidays,
        workdays=parsed.workdays,
    )


def withdraw_holiday_arrangement(actor: User, year: int) -> None:
    """Delete the entered notice of ``year`` (entered by mistake, or the upgraded package now
    covers the year): the year falls back to the package, or becomes unknown again."""
    _require_arrangement_permission(actor)
    with transaction.atomic():
        existing = HolidayArrangement.objects.select_for_update().filter(year=year).first()
        if existing is None:
            raise NotFound(
                _("No holiday arrangement has been entered for %(year)s.") % {"year": year}
            )
        holidays, workdays = arrangements.arrangement_ranges(existing)
        record(
            "core.calendar.arrangement.withdraw",
            obj=existing,
            object_repr=f"{year}: {existing.notice}"[:200],
            before={"notice": existing.notice, **_arrangement_summary(holidays, workdays)},
            actor=actor,
        )
        calendar.remove_arrangement(year)


# --- bulk import ---------------------------------------------------------------------------


@dataclass
class ImportRow:
    line: int
    username: str
    errors: list[str] = field(default_factory=list)
    password: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    rows: list[ImportRow]
    dry_run: bool

    @property
    def imported(self) -> int:
        return 0 if self.dry_run else sum(1 for r in self.rows if r.ok)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if not r.ok)


def import_staff(
    actor: User, records: list[dict[str, str]], *, dry_run: bool = False
) -> ImportReport:
    """Create staff from rows (line numbers from the file); each row stands or falls alone."""
    policy.require(actor, Action.MANAGE_STAFF)
    report = ImportReport(rows=[], dry_run=dry_run)
    departments = {d.code.lower(): d for d in Department.objects.all()}
    for position, row in enumerate(records, start=2):
        line = int(row.get("_line") or position)
        username = (row.get("username") or "").strip()
        result = ImportRow(line=line, username=username)
        report.rows.append(result)
        dept = departments.get((row.get("department") or "").strip().lower())
        if dept is None:
            result.errors.append(
                _("Unknown department code “%(code)s”.") % {"code": row.get("department", "")}
            )
            continue
        try:
            with transaction.atomic():
                _staff, password = create_staff(
                    actor,
                    department=dept.code,
                    username=username,
                    display_name=row.get("display_name") or "",
                    position=(row.get("position") or "").strip() or None,
                    phone=row.get("phone") or "",
                    id_number=row.get("id_number") or "",
                    email=row.get("email") or "",
                    office_phone=row.get("office_phone") or "",
                )
                result.password = password
                if dry_run:
                    transaction.set_rollback(True)
                    result.password = ""
        except (InvalidInput, Conflict, Forbidden) as exc:
            if exc.errors:
                result.errors.extend(f"{k}: {m}" for k, msgs in exc.errors.items() for m in msgs)
            else:
                result.errors.append(str(exc.message))
    return report
