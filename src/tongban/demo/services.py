"""Seeding the demo city through the same services a person would use (so it is audited too).

Idempotent: what exists is left alone; a second run creates nothing and changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongban.audit.context import audit_context
from tongban.demo import data
from tongban.identity import services as identity
from tongban.identity import totp
from tongban.identity.models import User
from tongban.notifications import reminders
from tongban.org import services as org
from tongban.org.models import Department, Role, RoleAssignment, Staff
from tongban.seals import services as seals
from tongban.workflow import services as workflow
from tongban.workflow.models import ProcessDefinition


@dataclass
class Login:
    username: str
    display_name: str
    department: str
    department_name: str
    roles: list[str] = field(default_factory=list)
    totp_secret: str = ""


def password_file() -> Path:
    return Path(settings.HOME) / "secrets" / "demo_password"


def demo_password(given: str | None) -> tuple[str, bool]:
    """The password of every demo account: ``given``, else the one stored on first run, else new."""
    path = password_file()
    if given:
        return given, False
    if path.exists():
        return path.read_text().strip(), False
    password = "Demo-" + secrets.token_urlsafe(9).replace("_", "x").replace("-", "y") + "-2026"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password)
    path.chmod(0o600)
    return password, True


def _ensure_account(
    username: str,
    name: str,
    password: str,
    admin_role: str = "",
    phone: str = "",
    id_number: str = "",
) -> tuple[User, bool]:
    user = User.objects.filter(username__iexact=username).first()
    if user is not None:
        return user, False
    user, _initial = identity.create_user(
        username=username,
        display_name=name,
        password=password,
        admin_role=admin_role,
        phone=phone,
        id_number=id_number,
        must_change_password=False,
    )
    return user, True


def _ensure_staff(actor: User, user: User, department: Department, position: str | None) -> None:
    if not Staff.objects.filter(user=user).exists():
        Staff.objects.create(user=user, department=department, position=org._position(position))
        identity_summary = org.staff_summary(Staff.objects.get(user=user))
        from tongban.audit.services import record

        record(
            "org.staff.create",
            obj=Staff.objects.get(user=user),
            after=identity_summary,
            actor=actor,
        )


def resident_id(seq: int, male: bool) -> str:
    """A well-formed (not real) resident ID number for demo staff, born 1970–1999."""
    from tongban.core.identifiers import resident_id_check_char

    birth = f"{1970 + seq % 30}{(seq % 12) + 1:02d}{(seq % 28) + 1:02d}"
    order = f"{(seq * 7) % 100:02d}{1 if male else 2}"
    body = f"110105{birth}{order}"
    return body + resident_id_check_char(body)


def seed(password: str | None = None) -> tuple[list[Login], str, bool]:
    """Create what is missing of the demo city; return the logins, the password, whether it is new."""
    pw, generated = demo_password(password)
    identity.check_password_policy(pw)
    with audit_context(source="cli", ip="local"), transaction.atomic():
        admins = {}
        for username, name, role in data.ADMINS:
            user, created = _ensure_account(username, name, pw, admin_role=role)
            if created:
                identity.set_totp_secret(user, totp.new_secret())
            admins[role] = user
        sysadmin, secadmin = admins["system"], admins["security"]

        depts: dict[str, Department] = {d.code: d for d in Department.objects.all()}
        for order, (code, name, kind, parent, issuing) in enumerate(data.DEPARTMENTS):
            if code not in depts:
                depts[code] = org.create_department(
                    sysadmin,
                    code=code,
                    name=name,
                    kind=kind,
                    parent=depts[parent] if parent else None,
                    issuing_code=issuing,
                    sort_order=order,
                )
        for user in admins.values():
            _ensure_staff(sysadmin, user, depts[data.ADMIN_DEPARTMENT], None)

        roles = {r.code: r for r in Role.objects.all()}
        seq = 0

        def ensure(
            username: str,
            name: str,
            dept: str,
            position: str | None,
            grants: list[tuple[str, str, str | None]],
        ) -> None:
            nonlocal seq
            seq += 1
            user = User.objects.filter(username__iexact=username).first()
            if user is None:
                staff, _ = org.create_staff(
                    sysadmin,
                    department=depts[dept],
                    username=username,
                    display_name=name,
                    position=position,
                    password=pw,
                    phone=f"139{(20260000 + seq * 7919) % 100000000:08d}",
                    id_number=resident_id(seq, male=seq % 2 == 1),
                )
                user = staff.user
                User.objects.filter(pk=user.pk).update(
                    must_change_password=False, password_changed_at=timezone.now()
                )
                if username in data.TOTP_STAFF:
                    identity.set_totp_secret(user, totp.new_secret())
            for role_code, scope_dept, scope in grants:
                if not RoleAssignment.objects.filter(
                    user=user, role=roles[role_code], department=depts[scope_dept]
                ).exists():
                    org.assign_role(
                        secadmin,
                        user=user,
                        role=roles[role_code],
                        department=depts[scope_dept],
                        scope=scope,
                    )

        for username, name, dept, position, grants in data.NAMED_STAFF:
            ensure(username, name, dept, position, grants)
        number = 0
        for i, (code, _name, kind, _parent, _issuing) in enumerate(data.DEPARTMENTS):
            for j in range(data.STAFF_PER_DEPARTMENT):
                number += 1
                surname, sp = data.SURNAMES[(i * 3 + j) % len(data.SURNAMES)]
                given, gp = data.GIVEN[(i * 7 + j * 5) % len(data.GIVEN)]
                head = j == 0
                role = (
                    ("division_head" if kind == "division" else "bureau_head") if head else "clerk"
                )
                position = (
                    ("division_head" if kind == "division" else "director") if head else "officer"
                )
                # The city government's own head reaches its own offices only: with the role's
                # default scope (the subtree) they would be a candidate for every bureau's
                # countersign and sign-off in the city.
                scope = "department" if head and kind == "city" else None
                ensure(
                    f"{sp}{gp}{number:02d}", surname + given, code, position, [(role, code, scope)]
                )

        _seals(secadmin, depts)
        _processes(sysadmin)
        # From 1 October the worker tells the system administrator that next year's holiday
        # arrangement is not entered; the demo does it too, worker or not (once a year: a second
        # run adds nothing). 2027 stays unentered so that the warning shows.
        reminders.warn_missing_holiday_arrangement()

    return logins(), pw, generated


DEMO_PROCESSES = Path(__file__).resolve().parent / "processes"


def _processes(sysadmin: User) -> None:
    """Processes a city draws for itself (请假申请), imported once as its process administrator
    would, with a request waiting at each step for the demo's people to see."""
    for path in sorted(DEMO_PROCESSES.glob("*.bpmn")):
        source = f"demo:{path.name}"
        if ProcessDefinition.objects.filter(source=source).exists():
            continue
        definition = workflow.import_definition(sysadmin, path.read_bytes(), source=source)
        if definition.key != "leave_request":
            continue
        clerk, officer = (User.objects.get(username=u) for u in ("clerk", "huangwei08"))
        workflow.start_instance(
            clerk,
            process_key=definition.key,
            title="张晓明年休假 2 天",
            variables={"days": 2, "first_day": "2026-12-14", "kind": "annual"},
        )
        longer = workflow.start_instance(
            officer,
            process_key=definition.key,
            title="黄伟病假 5 天",
            variables={"days": 5, "first_day": "2026-12-07", "kind": "sick", "reason": "手术"},
        )
        approve = longer.tasks.get(bpmn_id="approve", status="open")
        chief = User.objects.get(username="chief")
        if approve.assignee_id is None:
            workflow.claim_task(chief, approve.pk)
        workflow.complete_task(chief, approve.pk, data={"approved": True}, opinion="同意，报局领导")


def ca_passphrase_file() -> Path:
    return Path(settings.HOME) / "secrets" / "demo_ca_passphrase"


def _seals(secadmin: User, depts: dict[str, Department]) -> None:
    """The platform CA and a seal certificate for every unit that seals documents.

    Demo only: the root CA's passphrase is generated and kept in ``var/secrets``; a real operator
    runs ``tongban ca init`` and keeps the passphrase elsewhere.
    """
    if not seals.ca_ready():
        path = ca_passphrase_file()
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(24))
            path.chmod(0o600)
        seals.init_ca(path.read_text().strip())
    for code, _name, kind, _parent, _issuing in data.DEPARTMENTS:
        if kind in data.SEAL_KINDS and seals.active_seal(depts[code]) is None:
            seals.issue_certificate(secadmin, kind="seal", department_code=code)


def logins() -> list[Login]:
    out = []
    staff = Staff.objects.select_related("user", "department").order_by(
        "user__date_joined", "user__pk"
    )
    assignments: dict[int, list[str]] = {}
    for a in RoleAssignment.objects.select_related("role"):
        assignments.setdefault(a.user_id, []).append(a.role.code)
    for s in staff:
        u = s.user
        roles = [u.admin_role] if u.admin_role else sorted(assignments.get(u.pk, []))
        out.append(
            Login(
                u.username,
                u.display_name,
                s.department.code,
                s.department.name,
                roles,
                u.totp_secret if u.admin_role or u.username in data.TOTP_STAFF else "",
            )
        )
    return out
