"""Seeding the demo city through the same services a person would use (so it is audited too).

Idempotent: what exists is left alone; a second run creates nothing and changes nothing. The
one exception is asked for: ``--password P`` sets P as the password of every demo account.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.audit.context import audit_context
from tongban.core.errors import InvalidInput
from tongban.demo import data
from tongban.identity import services as identity
from tongban.identity import totp
from tongban.identity.models import User
from tongban.notifications import reminders
from tongban.org import services as org
from tongban.org.models import Department, Position, Role, RoleAssignment, Staff
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


Progress = Callable[[str], None]


@dataclass
class DemoCity:
    """What ``seed`` did: the logins and the password that opens them."""

    logins: list[Login]
    password: str
    generated: bool = False  # made up on this run (and kept in ``password_file()``)
    password_set: int = 0  # existing accounts given the chosen password on this run
    # Demo accounts the password does not open: their users changed it since.
    other_password: list[str] = field(default_factory=list)


def password_file() -> Path:
    return Path(settings.HOME) / "secrets" / "demo_password"


def checked_file() -> Path:
    """Which account hashes the kept password was last seen to open (a digest of each hash)."""
    return Path(settings.HOME) / "secrets" / "demo_password_checked"


def stored_password() -> str:
    path = password_file()
    return path.read_text().strip() if path.exists() else ""


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(text)


def _fingerprint(encoded: str) -> str:
    return hashlib.sha256(encoded.encode()).hexdigest()


def _checked() -> dict[str, str]:
    """The fingerprints, unless the kept password was written after them (edited by hand)."""
    try:
        if password_file().stat().st_mtime_ns > checked_file().stat().st_mtime_ns:
            return {}
        found = json.loads(checked_file().read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _remember_checked(usernames: list[str], other: list[str]) -> None:
    """After a run every demo account opens with the kept password except ``other``: note their
    hashes, so that the next run checks only an account whose hash has changed since (checking
    a password costs an argon2 hash each: ~0.13 s, 9 s for the whole demo city)."""
    users = User.objects.filter(username__in=usernames).exclude(username__in=other)
    fingerprints = {u.username: _fingerprint(u.password) for u in users}
    _write_secret(checked_file(), json.dumps(fingerprints, indent=0, sort_keys=True))


def _new_password() -> str:
    return "Demo-" + secrets.token_urlsafe(9).replace("_", "x").replace("-", "y") + "-2026"


def generated_staff() -> Iterator[tuple[str, str, str, str, list[tuple[str, str, str | None]]]]:
    """The staff every department gets beyond the named accounts: (username, name, department,
    position, [(role, department, scope)]), in the order they are created."""
    number = 0
    for i, (code, _name, kind, _parent, _issuing) in enumerate(data.DEPARTMENTS):
        for j in range(data.STAFF_PER_DEPARTMENT):
            number += 1
            surname, sp = data.SURNAMES[(i * 3 + j) % len(data.SURNAMES)]
            given, gp = data.GIVEN[(i * 7 + j * 5) % len(data.GIVEN)]
            head = j == 0
            role = ("division_head" if kind == "division" else "bureau_head") if head else "clerk"
            position = (
                ("division_head" if kind == "division" else "director") if head else "officer"
            )
            # The city government's own head reaches its own offices only: with the role's
            # default scope (the subtree) they would be a candidate for every bureau's
            # countersign and sign-off in the city.
            scope = "department" if head and kind == "city" else None
            yield f"{sp}{gp}{number:02d}", surname + given, code, position, [(role, code, scope)]


def demo_usernames() -> list[str]:
    """Every account the demo creates (and whose password ``--password`` sets)."""
    return [
        *(username for username, _name, _role in data.ADMINS),
        *(staff[0] for staff in data.NAMED_STAFF),
        *(staff[0] for staff in generated_staff()),
    ]


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
        Staff.objects.create(
            user=user,
            department=department,
            position=Position.objects.filter(code=position).first() if position else None,
        )
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


def seed(password: str | None = None, *, progress: Progress | None = None) -> DemoCity:
    """Create what is missing of the demo city and return its logins and their password.

    The password is ``password`` when given (checked against the policy; on a demo that exists
    it is set for every demo account, audited, or nothing changes and the policy's reason is
    raised), else the one kept in ``password_file()``, else a new one. The file always holds
    the password last given to the accounts.
    """
    say = progress or (lambda _message: None)
    usernames = demo_usernames()
    existing = list(User.objects.filter(username__in=usernames).order_by("pk"))
    stored = stored_password()
    generated = False
    other: list[str] = []
    if password:
        identity.check_password_policy(password)
        pw = password
    elif stored:
        pw = stored
        other = _not_opened_by(existing, pw, say)
        if existing and len(other) == len(existing):
            raise InvalidInput(
                _(
                    "The password kept in %(file)s opens none of the demo's accounts: choose a "
                    "new one with --password."
                )
                % {"file": password_file()},
                field="password",
            )
    elif existing:
        raise InvalidInput(
            _(
                "The demo's accounts exist but their password is not kept in %(file)s: choose "
                "a new one with --password."
            )
            % {"file": password_file()},
            field="password",
        )
    else:
        pw, generated = _new_password(), True
        identity.check_password_policy(pw)
    with audit_context(source="cli", ip="local"), transaction.atomic():
        password_set = _set_password(existing, pw, say) if password and existing else 0
        if len(existing) < len(usernames):
            say(f"departments and accounts ({len(usernames) - len(existing)} to create)…")
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
                    parent=parent or None,
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
                if seq % 20 == 0:
                    say(f"accounts {seq + len(admins)}/{len(usernames)}…")
                staff, _ = org.create_staff(
                    sysadmin,
                    department=dept,
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
                        username=user.username,
                        role=role_code,
                        department=scope_dept,
                        scope=scope,
                    )

        for username, name, dept, position, grants in data.NAMED_STAFF:
            ensure(username, name, dept, position, grants)
        for username, name, dept, position, grants in generated_staff():
            ensure(username, name, dept, position, grants)

        _seals(secadmin, depts, say)
        _processes(sysadmin, say)
        # From 1 October the worker tells the system administrator that next year's holiday
        # arrangement is not entered; the demo does it too, worker or not (once a year: a second
        # run adds nothing). 2027 stays unentered so that the warning shows.
        reminders.warn_missing_holiday_arrangement()

    if pw != stored:
        _write_secret(password_file(), pw)
    _remember_checked(usernames, other)
    return DemoCity(logins(), pw, generated, password_set, other)


def _set_password(users: list[User], password: str, say: Progress) -> int:
    """Give every account ``password`` (those that have it already are left alone); on any
    refusal raise it, naming the accounts, before the caller's transaction commits."""
    refused: dict[str, list[str]] = {}
    changed = 0
    for n, user in enumerate(users, 1):
        if n % 10 == 0 or n == len(users):
            say(f"passwords {n}/{len(users)}…")
        if check_password(password, user.password):
            continue
        try:
            identity.set_password_as_operator(user, password, detail="tongban demo --password")
        except InvalidInput as exc:
            refused.setdefault(str(exc.message), []).append(user.username)
        else:
            changed += 1
    if refused:
        raise InvalidInput(
            " ".join(
                _("Not for %(accounts)s: %(reason)s")
                % {"accounts": ", ".join(names), "reason": reason}
                for reason, names in refused.items()
            ),
            field="password",
        )
    return changed


def _not_opened_by(users: list[User], password: str, say: Progress) -> list[str]:
    """The demo accounts (of those that existed) whose password is no longer ``password``; an
    account whose hash is the one it had when the password last opened it is not checked again."""
    checked = _checked()
    unsure = [u for u in users if checked.get(u.username) != _fingerprint(u.password)]
    if unsure:
        say(f"checking passwords changed since the last run: {len(unsure)}…")
    return [u.username for u in unsure if not check_password(password, u.password)]


DEMO_PROCESSES = Path(__file__).resolve().parent / "processes"


def _processes(sysadmin: User, say: Progress) -> None:
    """Processes a city draws for itself (请假申请), imported as its process administrator
    would, with a request waiting at each step for the demo's people to see.

    A demo set up before a process file changed gets the new file as a new version (running
    requests keep theirs), unless someone saved a version of their own since the demo's last
    one: that is theirs to keep. The waiting requests are made on the first import only."""
    for path in sorted(DEMO_PROCESSES.glob("*.bpmn")):
        source = f"demo:{path.name}"
        xml = path.read_bytes()
        ours = ProcessDefinition.objects.filter(source=source).order_by("-version").first()
        if ours is not None:
            latest = ProcessDefinition.objects.filter(key=ours.key).order_by("-version").first()
            if latest == ours and ours.bpmn_xml != xml.decode("utf-8"):
                workflow.import_definition(sysadmin, xml, source=source)
            continue
        say(f"process {path.name}…")
        definition = workflow.import_definition(sysadmin, xml, source=source)
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


def _seals(secadmin: User, depts: dict[str, Department], say: Progress) -> None:
    """The platform CA and a seal certificate for every unit that seals documents.

    Demo only: the root CA's passphrase is generated and kept in ``var/secrets``; a real operator
    runs ``tongban ca init`` and keeps the passphrase elsewhere.
    """
    if not seals.ca_ready():
        say("the platform CA…")
        path = ca_passphrase_file()
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(24))
            path.chmod(0o600)
        seals.init_ca(path.read_text().strip())
    for code, _name, kind, _parent, _issuing in data.DEPARTMENTS:
        if kind in data.SEAL_KINDS and seals.active_seal(depts[code]) is None:
            say(f"seal certificate of {code}…")
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
