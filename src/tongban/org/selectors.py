"""Reads of the organisation, already narrowed by the access policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import calendar
from tongban.core.errors import NotFound
from tongban.core.models import WorkingDayOverride
from tongban.core.permissions import ADMIN_ONLY_ACTIONS, Action
from tongban.org import policy
from tongban.org.models import Delegation, Department, Position, Role, RoleAssignment, Staff

if TYPE_CHECKING:
    from tongban.identity.http import Viewer

MAX_SEARCH_CHARS = 50


def departments_for(user: Viewer) -> QuerySet[Department]:
    return policy.visible_to(user, Department.objects.select_related("parent")).order_by("path")


def department_by_code(user: Viewer, code: str) -> Department:
    dept = departments_for(user).filter(code__iexact=code).first()
    if dept is None:
        raise NotFound()
    return dept


def department_by_id(user: Viewer, pk: int) -> Department:
    dept = departments_for(user).filter(pk=pk).first()
    if dept is None:
        raise NotFound()
    return dept


@dataclass
class TreeNode:
    department: Department
    staff_count: int
    children: list[TreeNode] = field(default_factory=list)


def department_tree(user: Viewer) -> list[TreeNode]:
    """The visible departments as a tree, with how many staff each has (one query)."""
    rows = departments_for(user).annotate(n_staff=Count("staff")).order_by("path")
    nodes: dict[int, TreeNode] = {}
    roots: list[TreeNode] = []
    for dept in sorted(rows, key=lambda d: (d.depth, d.sort_order, d.code)):
        node = TreeNode(dept, dept.n_staff)  # type: ignore[attr-defined]
        nodes[dept.pk] = node
        parent = nodes.get(dept.parent_id) if dept.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def flatten(nodes: list[TreeNode], depth: int = 0) -> list[tuple[int, TreeNode]]:
    out: list[tuple[int, TreeNode]] = []
    for node in nodes:
        out.append((depth, node))
        out.extend(flatten(node.children, depth + 1))
    return out


def staff_for(
    user: Viewer, *, q: str = "", department: Department | None = None, include_below: bool = False
) -> QuerySet[Staff]:
    """Staff the user may see, optionally matching a name/login search or within a department."""
    qs = policy.visible_to(user, Staff.objects.select_related("user", "department", "position"))
    q = (q or "").strip()[:MAX_SEARCH_CHARS]
    if q:
        qs = qs.filter(
            Q(user__display_name__icontains=q)
            | Q(user__username__icontains=q)
            | Q(department__name__icontains=q)
        )
    if department is not None:
        if include_below:
            qs = qs.filter(department__path__startswith=department.path)
        else:
            qs = qs.filter(department=department)
    return qs.order_by("department__path", "position__rank", "user__username")


def colleagues(user: Viewer, q: str, *, limit: int = 20) -> list[Staff]:
    """People the user may hand work to (转办, 加签): active staff accounts, not administrators,
    that the user may see and that match ``q``; none for an empty ``q``."""
    if not (q or "").strip():
        return []
    found = staff_for(user, q=q).filter(user__is_active=True, user__admin_role="")
    return list(found[:limit])


def staff_by_id(user: Viewer, pk: int) -> Staff:
    staff = staff_for(user).filter(pk=pk).first()
    if staff is None:
        raise NotFound()
    return staff


def staff_by_username(user: Viewer, username: str) -> Staff:
    staff = staff_for(user).filter(user__username__iexact=username).first()
    if staff is None:
        raise NotFound()
    return staff


def roles_for(user: Viewer) -> QuerySet[Role]:
    if not policy.can(user, Action.VIEW_ROLE):
        return Role.objects.none()
    return Role.objects.annotate(n_assignments=Count("assignments")).order_by("code")


def role_by_code(user: Viewer, code: str) -> Role:
    role = roles_for(user).filter(code=code).first()
    if role is None:
        raise NotFound()
    return role


def assignments_of(user: Viewer, person: Any) -> QuerySet[RoleAssignment]:
    """Role assignments of ``person``: visible to themself and to whoever may view roles."""
    if user.pk != person.pk and not policy.can(user, Action.VIEW_ROLE):
        return RoleAssignment.objects.none()
    return RoleAssignment.objects.filter(user=person).select_related("role", "department")


def positions() -> QuerySet[Position]:
    return Position.objects.all()


def staff_of_user(user: Viewer) -> Staff | None:
    return Staff.objects.select_related("department", "position").filter(user=user).first()


def assignments_of_role(user: Viewer, role: Role) -> QuerySet[RoleAssignment]:
    """Who holds ``role``, where: for whoever may view roles."""
    if not policy.can(user, Action.VIEW_ROLE):
        return RoleAssignment.objects.none()
    return RoleAssignment.objects.filter(role=role).select_related("user", "department")


def delegations_by(user: Viewer, *, limit: int = 20) -> list[Delegation]:
    """The delegations a person gave (代理), newest first."""
    return list(
        Delegation.objects.filter(delegator=user)
        .select_related("delegate")
        .order_by("-starts_at")[:limit]
    )


def delegations_to(user: Viewer) -> QuerySet[Delegation]:
    """The delegations a person acts under now or later (not ended, not revoked)."""
    return Delegation.objects.filter(
        delegate=user, ends_at__gt=timezone.now(), revoked_at__isnull=True
    ).select_related("delegator")


def department_choices(user: Viewer, *, blank: bool = True) -> list[tuple[str, str]]:
    """The departments a person may see, indented by depth, for a choice field."""
    rows = [(d.code, "　" * d.depth + d.name) for d in departments_for(user)]
    return ([("", str(_("— none (top level) —")))] if blank else []) + rows


def position_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(p.code, p.name) for p in positions()]


def role_permission_choices() -> list[tuple[str, str]]:
    """The permissions a role may hold (never those reserved for the three administrators)."""
    return [(a.value, str(a.label)) for a in Action if a.value not in ADMIN_ONLY_ACTIONS]


# --- what a person may do on a page ----------------------------------------------------------


@dataclass(frozen=True)
class OrgPermissions:
    """What a person may do on the organisation pages."""

    view_staff: bool
    manage_departments: bool
    manage_staff: bool
    manage_roles: bool


def org_permissions(user: Viewer) -> OrgPermissions:
    return OrgPermissions(
        view_staff=policy.can(user, Action.VIEW_STAFF),
        manage_departments=policy.can(user, Action.MANAGE_DEPARTMENT),
        manage_staff=policy.can(user, Action.MANAGE_STAFF),
        manage_roles=policy.can(user, Action.MANAGE_ROLE),
    )


def may_manage_department(user: Viewer, department: Department) -> bool:
    return policy.can(user, Action.MANAGE_DEPARTMENT, department)


@dataclass(frozen=True)
class StaffPagePermissions:
    """What a person may do on one staff member's page."""

    manage: bool
    reveal: bool
    grant_clearance: bool
    assign_roles: bool


def staff_page_permissions(user: Viewer, staff: Staff) -> StaffPagePermissions:
    own = user.pk == staff.user_id
    return StaffPagePermissions(
        manage=policy.can(user, Action.MANAGE_STAFF, staff),
        reveal=own or policy.can(user, Action.VIEW_PERSONAL_DATA, staff),
        grant_clearance=policy.can(user, Action.GRANT_CLEARANCE) and not own,
        assign_roles=policy.can(user, Action.MANAGE_ROLE) and not own,
    )


def require_manage_departments(user: Viewer) -> None:
    """Refuse (and record) a person who may not change departments, before a form is shown."""
    policy.require(user, Action.MANAGE_DEPARTMENT)


def require_manage_staff(user: Viewer) -> None:
    policy.require(user, Action.MANAGE_STAFF)


def require_view_roles(user: Viewer) -> None:
    policy.require(user, Action.VIEW_ROLE)


def explain_grants(user: Viewer) -> list[dict[str, Any]]:
    """Where a person's powers come from, for the workbench."""
    return policy.explain(user)


def working_days_page(user: Viewer) -> dict[str, Any]:
    """The working-day calendar as its administrator sees it: the next six weeks, the local
    arrangements, and where a limit of 20 working days from today ends."""
    policy.require(user, Action.MANAGE_CALENDAR)
    today = timezone.localdate()
    span = calendar.WorkingDays()
    span.preload(today, today + timedelta(days=41))  # one query for the six weeks shown
    days = [
        (today + timedelta(days=i), span.is_working_day(today + timedelta(days=i)))
        for i in range(42)
    ]
    return {
        "overrides": list(WorkingDayOverride.objects.order_by("-day")[:100]),
        "days": days,
        "in_20": calendar.add_working_days(today, 20),
        "missing_arrangement": calendar.missing_arrangement(today),
    }


def me(user: Viewer) -> dict[str, Any]:
    """The signed-in person as ``GET /api/v1/me`` shows them: account, post and roles."""
    staff = staff_of_user(user)
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "admin_role": user.admin_role,
        "clearance": user.clearance,
        "totp_enabled": user.totp_enabled,
        "department": {"code": staff.department.code, "name": staff.department.name}
        if staff
        else None,
        "position": staff.position.name if staff and staff.position else None,
        "roles": [
            {
                "role": a.role.code,
                "name": a.role.name,
                "department": a.department.code,
                "scope": a.scope,
            }
            for a in assignments_of(user, user)
        ],
    }


def may_enter_arrangement(user: Viewer) -> bool:
    """Whether the person enters a year's State Council holiday arrangement (system admin)."""
    return policy.can(user, Action.ENTER_HOLIDAY_ARRANGEMENT)


def require_enter_arrangement(user: Viewer) -> None:
    policy.require(user, Action.ENTER_HOLIDAY_ARRANGEMENT)


def require_calendar_reader(user: Viewer) -> None:
    """The yearly arrangements page: for whoever enters them or keeps the local calendar."""
    if not (may_enter_arrangement(user) or policy.can(user, Action.MANAGE_CALENDAR)):
        policy.require(user, Action.ENTER_HOLIDAY_ARRANGEMENT)


def missing_arrangement_for(user: Viewer) -> int | None:
    """The next year whose arrangement is not entered, from 1 October, for those who enter it."""
    return (
        calendar.missing_arrangement(timezone.localdate()) if may_enter_arrangement(user) else None
    )
