"""The one access policy of tongban: ``can(user, action, obj)`` and ``visible_to(user, queryset)``.

A person's *grants* come from
  * their administrator role (三员), reaching everything, with the permissions in
    ``core.permissions.ADMIN_ROLE_PERMISSIONS``;
  * a baseline every staff member has: seeing the department directory;
  * their role assignments, each reaching over a department as far as its scope says
    (self / department / department and below / all);
  * delegations (代理) to them that are active now: the delegator's role assignments.
On top of the grants, an object's classification (密级) must not exceed the person's clearance.

Apps register each model the policy governs (``register``): which action reads it, and how to
find its department, its owner and its classification. ``visible_to`` turns the grants into one
``WHERE`` clause, so every list, search and lookup by id is filtered inside the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from tongban.audit.services import record_denied
from tongban.core.errors import Forbidden
from tongban.core.permissions import (
    ADMIN_ONLY_ACTIONS,
    ADMIN_ROLE_PERMISSIONS,
    Action,
)
from tongban.org.models import DataScope, Delegation, Department, RoleAssignment

M = TypeVar("M", bound=Model)

BASELINE_ACTIONS = frozenset({Action.VIEW_DEPARTMENT})


@dataclass(frozen=True)
class Target:
    """How the policy reads a model. Lookups are Django field paths ("" means the object itself)."""

    view_action: str
    department: str
    owner: str | None = None
    classification: str | None = None


_registry: dict[type[Model], Target] = {}


def register(model: type[Model], target: Target) -> None:
    _registry[model] = target


def target_for(model: type[Model]) -> Target:
    try:
        return _registry[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not registered with the access policy") from None


@dataclass(frozen=True)
class Grant:
    actions: frozenset[str]
    scope: str
    department_id: int | None
    department_path: str
    owner_id: int | None
    via: str


_CACHE_ATTR = "_tongban_grants"


def forget(user: Any) -> None:
    """Drop the grants cached on a user object (after its roles or delegations change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def grants_for(user: Any) -> list[Grant]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return list(cached)
    grants: list[Grant] = []
    if user.admin_role:
        actions = ADMIN_ROLE_PERMISSIONS.get(user.admin_role, frozenset())
        grants.append(Grant(actions, DataScope.ALL, None, "", user.pk, f"admin:{user.admin_role}"))
    else:
        staff_department = (
            Department.objects.filter(staff__user=user).values_list("pk", "path").first()
        )
        if staff_department:
            grants.append(Grant(BASELINE_ACTIONS, DataScope.ALL, None, "", user.pk, "baseline"))
        grants.extend(_role_grants(user.pk, user.pk, "role"))
        now = timezone.now()
        delegations = Delegation.objects.filter(
            delegate=user,
            starts_at__lte=now,
            ends_at__gt=now,
            revoked_at__isnull=True,
            delegator__is_active=True,
        ).values_list("delegator_id", "delegator__username")
        for delegator_id, delegator_username in delegations:
            grants.extend(
                _role_grants(delegator_id, delegator_id, f"delegation:{delegator_username}")
            )
    setattr(user, _CACHE_ATTR, tuple(grants))
    return grants


def _role_grants(user_id: int, owner_id: int, via: str) -> list[Grant]:
    rows = RoleAssignment.objects.filter(user_id=user_id).values_list(
        "role__code", "role__permissions", "scope", "department_id", "department__path"
    )
    return [
        Grant(
            frozenset(p for p in permissions if p not in ADMIN_ONLY_ACTIONS),
            scope,
            department_id,
            path,
            owner_id,
            f"{via}:{code}",
        )
        for code, permissions, scope, department_id, path in rows
    ]


def _resolve(obj: Any, lookup: str) -> Any:
    for part in filter(None, lookup.split("__")):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _object_in_grant(grant: Grant, obj: Any, target: Target) -> bool:
    if grant.scope == DataScope.ALL:
        return True
    if grant.scope == DataScope.SELF:
        if target.owner is None:
            return False
        owner = _resolve(obj, target.owner)
        owner_id = getattr(owner, "pk", owner)
        return owner_id is not None and owner_id == grant.owner_id
    department = _resolve(obj, target.department)
    if department is None:
        return False
    if grant.scope == DataScope.DEPARTMENT:
        return bool(department.pk == grant.department_id)
    return bool(department.path.startswith(grant.department_path))


def _cleared(user: Any, obj: Any, target: Target) -> bool:
    if not target.classification:
        return True
    level = _resolve(obj, target.classification) or 0
    return bool(level <= user.clearance)


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether ``user`` may do ``action`` (on ``obj``, if given). Never raises."""
    grants = [g for g in grants_for(user) if action in g.actions]
    if not grants:
        return False
    if obj is None:
        return True
    target = target_for(type(obj))
    if not _cleared(user, obj, target):
        return False
    return any(_object_in_grant(g, obj, target) for g in grants)


def require(user: Any, action: str, obj: Any = None) -> None:
    """Raise Forbidden (and record the refusal) unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        record_denied(action, obj=obj if isinstance(obj, Model) else None, actor=user)
        raise Forbidden()


def _grant_q(grant: Grant, target: Target) -> Q:
    if grant.scope == DataScope.ALL:
        return Q()
    if grant.scope == DataScope.SELF:
        if target.owner is None:
            return Q(pk__in=[])
        return Q(**{f"{target.owner}__pk" if target.owner != "pk" else "pk": grant.owner_id})
    prefix = f"{target.department}__" if target.department else ""
    if grant.scope == DataScope.DEPARTMENT:
        return Q(**{f"{prefix}pk": grant.department_id})
    return Q(**{f"{prefix}path__startswith": grant.department_path})


def visible_to(user: Any, queryset: QuerySet[M], action: str | None = None) -> QuerySet[M]:
    """``queryset`` narrowed to what ``user`` may see (or do ``action`` on), inside the query."""
    target = target_for(queryset.model)
    action = action or target.view_action
    grants = [g for g in grants_for(user) if action in g.actions]
    if not grants:
        return queryset.none()
    clauses = [_grant_q(g, target) for g in grants]
    if any(not clause for clause in clauses):  # an ALL grant: no narrowing by place
        narrowed = queryset
    else:
        narrowed = queryset.filter(reduce(or_, clauses))
    if target.classification:
        narrowed = narrowed.filter(**{f"{target.classification}__lte": user.clearance})
    return narrowed


def explain(user: Any) -> list[dict[str, Any]]:
    """The grants in words a person can read (the workbench's "what I may do")."""
    from django.utils.translation import gettext as _

    from tongban.core.permissions import AdminRole
    from tongban.org.models import Role

    grants = grants_for(user)
    role_names = dict(Role.objects.values_list("code", "name"))
    department_names = dict(
        Department.objects.filter(
            pk__in=[g.department_id for g in grants if g.department_id]
        ).values_list("pk", "name")
    )
    labels = dict(Action.choices)
    out = []
    for g in grants:
        kind, _sep, rest = g.via.partition(":")
        if kind == "admin":
            via = str(AdminRole(rest).label)
        elif kind == "baseline":
            via = _("Every staff member")
        elif kind == "role":
            via = _("Role: %(role)s") % {"role": role_names.get(rest, rest)}
        else:  # delegation:<username>:<role>
            delegator, _sep, role = rest.partition(":")
            via = _("Acting for %(name)s: %(role)s") % {
                "name": delegator,
                "role": role_names.get(role, role),
            }
        out.append(
            {
                "via": via,
                "scope": str(DataScope(g.scope).label),
                "department": department_names.get(g.department_id, "") if g.department_id else "",
                "actions": sorted(str(labels.get(a, a)) for a in g.actions),
            }
        )
    return out
