"""Reads of the organisation, already narrowed by the access policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from tongban.core.errors import NotFound
from tongban.core.permissions import Action
from tongban.org import policy
from tongban.org.models import Department, Position, Role, RoleAssignment, Staff

MAX_SEARCH_CHARS = 50


def departments_for(user: Any) -> QuerySet[Department]:
    return policy.visible_to(user, Department.objects.select_related("parent")).order_by("path")


def department_by_code(user: Any, code: str) -> Department:
    dept = departments_for(user).filter(code__iexact=code).first()
    if dept is None:
        raise NotFound()
    return dept


def department_by_id(user: Any, pk: int) -> Department:
    dept = departments_for(user).filter(pk=pk).first()
    if dept is None:
        raise NotFound()
    return dept


@dataclass
class TreeNode:
    department: Department
    staff_count: int
    children: list[TreeNode] = field(default_factory=list)


def department_tree(user: Any) -> list[TreeNode]:
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
    user: Any, *, q: str = "", department: Department | None = None, include_below: bool = False
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


def colleagues(user: Any, q: str, *, limit: int = 20) -> list[Staff]:
    """People the user may hand work to (转办, 加签): active staff accounts, not administrators,
    that the user may see and that match ``q``; none for an empty ``q``."""
    if not (q or "").strip():
        return []
    found = staff_for(user, q=q).filter(user__is_active=True, user__admin_role="")
    return list(found[:limit])


def staff_by_id(user: Any, pk: int) -> Staff:
    staff = staff_for(user).filter(pk=pk).first()
    if staff is None:
        raise NotFound()
    return staff


def staff_by_username(user: Any, username: str) -> Staff:
    staff = staff_for(user).filter(user__username__iexact=username).first()
    if staff is None:
        raise NotFound()
    return staff


def roles_for(user: Any) -> QuerySet[Role]:
    if not policy.can(user, Action.VIEW_ROLE):
        return Role.objects.none()
    return Role.objects.annotate(n_assignments=Count("assignments")).order_by("code")


def role_by_code(user: Any, code: str) -> Role:
    role = roles_for(user).filter(code=code).first()
    if role is None:
        raise NotFound()
    return role


def assignments_of(user: Any, person: Any) -> QuerySet[RoleAssignment]:
    """Role assignments of ``person``: visible to themself and to whoever may view roles."""
    if user.pk != person.pk and not policy.can(user, Action.VIEW_ROLE):
        return RoleAssignment.objects.none()
    return RoleAssignment.objects.filter(user=person).select_related("role", "department")


def positions() -> QuerySet[Position]:
    return Position.objects.all()


def staff_of_user(user: Any) -> Staff | None:
    return Staff.objects.select_related("department", "position").filter(user=user).first()
