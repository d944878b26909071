"""Who performs a user task: resolving the BPMN's assignee and candidates to accounts.

The notation (documented in docs/workflow.md) is Camunda's, so that bpmn.io / Camunda Modeler
users can draw it:
  camunda:assignee="${initiator}"            a process variable holding a login name, or
  camunda:assignee="zhangsan"                a login name;
  camunda:candidateUsers="a,b,${reviewer}"   login names or variables;
  camunda:candidateGroups="clerk"            a role, within the initiator's department;
  camunda:candidateGroups="bureau_head@${department}"   a role within the department whose
                                             code the variable (or literal) gives; a holder
                                             whose assignment reaches that department by its
                                             scope (subtree, all) counts too.
A task that names nobody, or whose names match nobody, goes to the initiator.
  tongban:excludeInitiator="true"            the initiator is never a performer of the step
                                             (an approval); when nobody else is named, the
                                             initiator's supervisors are (``supervisors_of``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from tongban.identity.models import User
from tongban.org.models import DataScope, Department, Role, RoleAssignment, Staff

_VARIABLE = re.compile(r"^[$#]\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}$")


@dataclass
class Resolution:
    assignee: User | None = None
    candidates: list[User] = field(default_factory=list)
    label: str = ""
    unmatched: list[str] = field(default_factory=list)


def _value(expression: str, variables: Mapping[str, Any]) -> str:
    match = _VARIABLE.match(expression.strip())
    if not match:
        return expression.strip()
    value: Any = variables
    for part in match.group(1).split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return "" if value is None else str(value)


def _users(usernames: list[str]) -> list[User]:
    if not usernames:
        return []
    match = Q()
    for name in usernames:
        match |= Q(username__iexact=name)
    found = {u.username.lower(): u for u in User.objects.filter(match, is_active=True)}
    return [found[n.lower()] for n in usernames if n.lower() in found]


def role_holders(role_code: str, department: Department) -> list[User]:
    """Active holders of ``role_code`` whose assignment reaches ``department``."""
    return _reaching(_assignments(role_code), department)


def _assignments(role_code: str) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.filter(role__code=role_code, user__is_active=True).select_related(
            "user", "department"
        )
    )


def _reaching(assignments: list[RoleAssignment], department: Department) -> list[User]:
    holders = []
    for a in assignments:
        if (
            (a.department_id == department.pk and a.scope != DataScope.SELF)
            or a.scope == DataScope.ALL
            or (a.scope == DataScope.SUBTREE and department.path.startswith(a.department.path))
        ):
            holders.append(a.user)
    return sorted(set(holders), key=lambda u: u.username)


class Directory:
    """The organisation as one step of a process sees it: each question asked once.

    A countersign step opens a task per department, and each asks for the same role's name and
    holders; remembered for the step, that is one query per role instead of three per task.
    Made afresh for every step, so a change to the organisation shows from the next step on.
    """

    def __init__(self) -> None:
        self._departments: dict[str, Department | None] = {}
        self._assignments: dict[str, list[RoleAssignment]] = {}
        self._role_names: dict[str, str | None] = {}

    def department(self, code: str) -> Department | None:
        key = code.lower()
        if key not in self._departments:
            self._departments[key] = Department.objects.filter(code__iexact=code).first()
        return self._departments[key]

    def role_holders(self, role_code: str, department: Department) -> list[User]:
        if role_code not in self._assignments:
            self._assignments[role_code] = _assignments(role_code)
        return _reaching(self._assignments[role_code], department)

    def role_name(self, role_code: str) -> str | None:
        if role_code not in self._role_names:
            self._role_names[role_code] = (
                Role.objects.filter(code=role_code).values_list("name", flat=True).first()
            )
        return self._role_names[role_code]


def resolve(
    meta: Mapping[str, Any],
    variables: Mapping[str, Any],
    initiator: User,
    directory: Directory | None = None,
) -> Resolution:
    directory = directory or Directory()
    out = Resolution()
    exclude = bool(meta.get("exclude_initiator"))
    if meta.get("assignee"):
        name = _value(meta["assignee"], variables)
        users = [u for u in (_users([name]) if name else []) if not exclude or u != initiator]
        if users:
            out.assignee = users[0]
            out.label = users[0].display_name
            return out
        out.unmatched.append(f"assignee “{meta['assignee']}”")
    names = [_value(n, variables) for n in meta.get("candidate_users", [])]
    candidates = _users([n for n in names if n])
    out.unmatched += [
        f"user “{n}”"
        for n in names
        if n and n.lower() not in {u.username.lower() for u in candidates}
    ]
    labels = []
    for group in meta.get("candidate_groups", []):
        role, _at, where = group.partition("@")
        code = _value(where, variables) if where else str(variables.get("initiator_department", ""))
        department = directory.department(code) if code else None
        holders = directory.role_holders(role.strip(), department) if department else []
        if not holders:
            out.unmatched.append(f"group “{group}”")
        candidates += holders
        role_name = directory.role_name(role.strip())
        labels.append(f"{role_name or role.strip()}（{department.name if department else code}）")
    out.candidates = sorted(set(candidates), key=lambda u: u.username)
    out.label = ", ".join(labels) or ", ".join(u.display_name for u in out.candidates)
    if exclude:
        out.candidates = [u for u in out.candidates if u != initiator]
        if not out.candidates:
            # Nobody else holds the role here (the initiator is its only holder): the step goes
            # up, as a division head's own request goes to the head of the bureau.
            out.candidates = supervisors_of(initiator)
            out.label = ", ".join(u.display_name for u in out.candidates)
            if out.candidates:
                out.unmatched = []  # found someone: the history must not say "the initiator"
    if len(out.candidates) == 1:
        out.assignee, out.candidates = out.candidates[0], []
    if out.assignee is None and not out.candidates:
        out.assignee = initiator
        out.label = initiator.display_name
        if exclude:
            out.unmatched.append("someone other than the initiator")
    return out


def bureau_of(department: Department) -> Department:
    """The nearest bureau, district or the city above (or at) a department: who signs off."""
    node: Department | None = department
    while node is not None and node.kind not in ("bureau", "district", "city"):
        node = node.parent
    return node or department


def supervisors_of(user: User) -> list[User]:
    """Who a deadline escalates to (督办): the head of the person's division, or, for the head
    themselves (or a division without one), the head of the bureau above."""
    staff = Staff.objects.select_related("department__parent").filter(user=user).first()
    if staff is None:
        return []
    department = staff.department
    for role, where in (("division_head", department), ("bureau_head", bureau_of(department))):
        holders = [u for u in role_holders(role, where) if u.pk != user.pk]
        if holders:
            return holders
    return []
