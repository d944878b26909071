"""Account services: sign-in, passwords, second factor, clearance and API tokens.

Account *creation* for staff goes through ``org.services.create_staff`` (which checks the
policy); ``create_user`` here is its building block and that of ``tongban createadmin``.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongban.audit.context import current as current_context
from tongban.audit.models import Outcome
from tongban.audit.services import record, record_denied
from tongban.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    TooManyAttempts,
    Unauthenticated,
)
from tongban.core.identifiers import validate_resident_id
from tongban.core.permissions import Action, AdminRole, Classification, admin_role_allows
from tongban.identity import lockout, totp
from tongban.identity.models import ApiToken, PasswordHistory, User, username_validator

TOKEN_PREFIX = "tb_"  # noqa: S105 - a marker, not a secret


def user_summary(user: User) -> dict[str, Any]:
    """What the audit trail keeps of an account: never a password, phone or ID number in clear."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "admin_role": user.admin_role,
        "clearance": user.clearance,
        "is_active": user.is_active,
        "phone": user.masked_phone,
        "id_number": user.masked_id_number,
        "totp_enabled": user.totp_enabled,
    }


def generate_password(length: int = 14) -> str:
    """A random password that satisfies the policy (all four character classes)."""
    alphabet = string.ascii_letters + string.digits + "!@#%*-_"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
            and any(c in "!@#%*-_" for c in candidate)
        ):
            return candidate


def _validation_messages(exc: ValidationError) -> list[str]:
    return [str(message) for message in exc.messages]


def check_password_policy(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        messages = _validation_messages(exc)
        raise InvalidInput(" ".join(messages), errors={"password": messages}) from exc


def clean_account_fields(
    *,
    username: str | None = None,
    display_name: str | None = None,
    phone: str | None = None,
    id_number: str | None = None,
    email: str | None = None,
) -> dict[str, str]:
    """Validate account fields, returning them normalised; raise InvalidInput naming each field."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    if username is not None:
        username = username.strip()
        try:
            username_validator(username)
        except ValidationError as exc:
            errors["username"] = _validation_messages(exc)
        cleaned["username"] = username
    if display_name is not None:
        display_name = display_name.strip()
        if not display_name:
            errors["display_name"] = [_("Enter the person's name.")]
        elif len(display_name) > 50:
            errors["display_name"] = [
                _("A name has at most %(max)d characters (%(n)d given).")
                % {"max": 50, "n": len(display_name)}
            ]
        cleaned["display_name"] = display_name
    if phone is not None:
        phone = phone.strip()
        field = User._meta.get_field("phone")
        try:
            if phone:
                field.run_validators(phone)
        except ValidationError as exc:
            errors["phone"] = _validation_messages(exc)
        cleaned["phone"] = phone
    if id_number is not None:
        id_number = id_number.strip().upper()
        if id_number:
            try:
                id_number = validate_resident_id(id_number).number
            except InvalidInput as exc:
                errors["id_number"] = [str(exc.message)]
        cleaned["id_number"] = id_number
    if email is not None:
        email = email.strip()
        try:
            if email:
                User._meta.get_field("email").run_validators(email)
                from django.core.validators import validate_email

                validate_email(email)
        except ValidationError as exc:
            errors["email"] = _validation_messages(exc)
        cleaned["email"] = email
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, errors=errors)
    return cleaned


def create_user(
    *,
    username: str,
    display_name: str,
    password: str | None = None,
    admin_role: str = "",
    email: str = "",
    phone: str = "",
    id_number: str = "",
    must_change_password: bool = True,
) -> tuple[User, str]:
    """Create an account (inside the caller's transaction); returns it and its initial password.

    Callers check permission first: ``org.services.create_staff`` or the ``createadmin`` command.
    """
    fields = clean_account_fields(
        username=username, display_name=display_name, phone=phone, id_number=id_number, email=email
    )
    if admin_role not in AdminRole.values:
        raise InvalidInput(_("Unknown administrator role."), field="admin_role")
    if User.objects.filter(username__iexact=fields["username"]).exists():
        raise Conflict(
            _("The login name “%(name)s” is already taken.") % {"name": fields["username"]},
            field="username",
        )
    initial = password or generate_password()
    check_password_policy(initial)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                fields.pop("username"),
                initial,
                admin_role=admin_role,
                must_change_password=must_change_password,
                **fields,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("The login name “%(name)s” is already taken.") % {"name": username}, field="username"
        ) from exc
    record("identity.user.create", obj=user, after=user_summary(user))
    return user, initial


def update_user_fields(user: User, **changes: str) -> dict[str, Any]:
    """Apply validated changes to name/e-mail/phone/ID number; return the before-summary."""
    cleaned = clean_account_fields(**changes)
    before = user_summary(user)
    for name, value in cleaned.items():
        setattr(user, name, value)
    user.save(update_fields=list(cleaned))
    return before


# --- sign-in -------------------------------------------------------------------------------


class SecondFactorRequired(Unauthenticated):
    code = "otp_required"


def sign_in_help() -> dict[str, Any]:
    """What the sign-in page tells people: whom to ask for a new password (the system
    administrator resets passwords, ``reset_password``; ``TONGBAN_HELPDESK`` adds a contact) and
    the lockout that applies."""
    return {
        "helpdesk": settings.TONGBAN_HELPDESK,
        "threshold": settings.TONGBAN_LOCKOUT_THRESHOLD,
        "minutes": settings.TONGBAN_LOCKOUT_MINUTES,
    }


def _source() -> str:
    """Where the attempt comes from: the client's address, set by the audit middleware (the
    proxy's ``X-Forwarded-For`` only with ``TONGBAN_TRUSTED_PROXY``); empty from commands."""
    return current_context().ip


def _lock_message(lock: lockout.Lock) -> str:
    if lock.scope == lockout.SOURCE:
        return _(
            "Too many failed sign-ins from your network address. Try again in %(m)d minutes."
        ) % {"m": lock.minutes_left()}
    return _(
        "This account is locked after repeated failed sign-ins. Try again in %(m)d minutes."
    ) % {"m": lock.minutes_left()}


# Details of the audit entries: stored in English, translated where the trail is read
# (gettext_noop marks them for the catalogue).
LOCK_DETAILS = {
    lockout.LOGIN_FROM_SOURCE: gettext_noop("login locked from this source"),
    lockout.SOURCE: gettext_noop("source throttled"),
    lockout.LOGIN: gettext_noop("login locked from sources it never signed in from"),
}


def _refuse_if_locked(username: str, user: User | None, source: str, action: str) -> None:
    """Raise TooManyAttempts (429) while a lock holds against this login from this source; the
    refusal is audited."""
    found = lockout.locks(username, source)
    if not found:
        return
    lock = found[0]
    _record_attempt(action, username, user, Outcome.DENIED, LOCK_DETAILS[lock.scope])
    raise TooManyAttempts(_lock_message(lock))


NO_SECOND_FACTOR = gettext_noop("no second factor")
WRONG_CODE = gettext_noop("wrong one-time code")


def _record_attempt(
    action: str,
    username: str,
    user: User | None,
    outcome: str,
    detail: str,
    after: dict[str, Any] | None = None,
) -> None:
    if user is not None:
        record(action, obj=user, outcome=outcome, detail=detail, after=after)
    else:
        record(
            action,
            object_type="identity.user",
            object_repr=username[:150],
            outcome=outcome,
            detail=detail,
            after=after,
        )


def _register_failure(
    username: str, user: User | None, source: str, detail: str, after: dict[str, Any] | None = None
) -> None:
    """Count a failure and audit it, with every lock it sets (``identity.lockout``); committed
    even though the caller is refused. Raises TooManyAttempts when the failure set a lock."""
    with transaction.atomic():
        new_locks = lockout.record_failure(username, source)
        _record_attempt("identity.sign_in", username, user, Outcome.FAILURE, detail, after)
        for lock in new_locks:
            _record_attempt(
                "identity.lockout",
                username,
                user,
                Outcome.SUCCESS,
                LOCK_DETAILS[lock.scope],
                {"until": lock.until.isoformat(timespec="seconds")},
            )
    if new_locks:
        raise TooManyAttempts(_lock_message(max(new_locks, key=lambda lock: lock.until)))


def _reused_message(wait: int) -> str:
    return _(
        "This one-time code was already used. Wait for the next code from your authenticator "
        "app (in about %(seconds)d seconds) and enter that one."
    ) % {"seconds": wait}


def authenticate_staff(username: str, password: str, otp: str = "") -> User:
    """Check a sign-in; record success and failure; lock after repeated failures (lockout.py:
    by login from a source, by source, and by login from unknown sources).

    Raises Unauthenticated (wrong name, password or code), SecondFactorRequired or TooManyAttempts.
    The failure count and its audit entry are committed even though the caller is refused.
    """
    username = (username or "").strip()[:150]
    source = _source()
    user = User.objects.filter(username__iexact=username).first()
    _refuse_if_locked(username, user, source, "identity.sign_in")
    generic = _("The login name or password is not correct.")
    if user is None or not user.is_active:
        _register_failure(
            username,
            user,
            source,
            gettext_noop("unknown account") if user is None else gettext_noop("inactive account"),
        )
        raise Unauthenticated(generic)
    now = timezone.now()
    if not user.check_password(password or ""):
        _register_failure(username, user, source, gettext_noop("wrong password"))
        raise Unauthenticated(generic)
    needs_otp = user.totp_enabled or user.is_admin
    if needs_otp:
        if not user.totp_enabled:
            record("identity.sign_in", obj=user, outcome=Outcome.DENIED, detail=NO_SECOND_FACTOR)
            raise Forbidden(
                _(
                    "Administrators must use a second factor, and none is set up for this account. "
                    "Ask the operator to run “tongban createadmin --reset-otp”."
                )
            )
        if not otp:
            raise SecondFactorRequired(_("Enter the 6-digit code from your authenticator app."))
        checked = totp.check(user.totp_secret, otp, user.totp_last_step)
        if checked.reused:
            # The right code, used once already (replay protection): not a guess, so it does
            # not count towards the lockout; the person is told to wait for the next one.
            record(
                "identity.sign_in",
                obj=user,
                outcome=Outcome.DENIED,
                detail=gettext_noop("code reused"),
            )
            raise Unauthenticated(_reused_message(checked.wait))
        if checked.step is None:
            _register_failure(username, user, source, WRONG_CODE)
            raise Unauthenticated(_("The one-time code is not correct."))
        user.totp_last_step = checked.step
    with transaction.atomic():
        lockout.record_success(username, source)
        user.last_login = now
        user.save(update_fields=["last_login", "totp_last_step"])
        record("identity.sign_in", obj=user, actor=user)
    return user


def record_sign_out(user: Any) -> None:
    if getattr(user, "is_authenticated", False):
        record("identity.sign_out", obj=user, actor=user)


def password_expired(user: User) -> bool:
    if user.must_change_password:
        return True
    max_age = settings.TONGBAN_PASSWORD_MAX_AGE_DAYS
    if max_age <= 0 or user.password_changed_at is None:
        return False
    return timezone.now() - user.password_changed_at > timedelta(days=max_age)


# --- passwords -----------------------------------------------------------------------------


def change_own_password(user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password or ""):
        raise InvalidInput(_("The current password is not correct."), field="old_password")
    _set_password(user, new_password, must_change=False)
    record("identity.password.change", obj=user)


def reset_password(actor: User, user: User) -> str:
    """The system administrator sets a new random password that must be changed at next sign-in."""
    if not admin_role_allows(actor, Action.MANAGE_STAFF) or user.is_admin:
        record_denied("identity.password.reset", obj=user)
        raise Forbidden()
    new_password = generate_password()
    _set_password(user, new_password, must_change=True)
    record("identity.password.reset", obj=user)
    return new_password


def set_password_as_operator(user: User, new_password: str, *, detail: str = "") -> None:
    """The operator of the installation (at the command line, holding the server rather than
    an account of the platform) sets an account's password: the demo's shared password. The
    policy applies as for anyone, "not one of the last five" included; audited as
    ``identity.password.set`` in the caller's audit context."""
    _set_password(user, new_password, must_change=False)
    record("identity.password.set", obj=user, detail=detail)


def _set_password(user: User, new_password: str, *, must_change: bool) -> None:
    check_password_policy(new_password, user)
    with transaction.atomic():
        if user.password:
            PasswordHistory.objects.create(user=user, password=user.password)
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.must_change_password = must_change
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        stale = user.password_history.order_by("-created_at", "-id").values_list("pk", flat=True)[
            10:
        ]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()


# --- administrators' separated powers ------------------------------------------------------


def grant_clearance(actor: User, user: User, level: int) -> None:
    """Only the security administrator (安全保密管理员) grants clearance (密级), never to themself."""
    if not admin_role_allows(actor, Action.GRANT_CLEARANCE) or actor.pk == user.pk:
        record_denied("identity.clearance.grant", obj=user, after={"level": level})
        raise Forbidden()
    if level not in Classification.values:
        raise InvalidInput(_("Unknown classification level."), field="clearance")
    with transaction.atomic():
        before = {"clearance": user.clearance}
        user.clearance = level
        user.save(update_fields=["clearance"])
        record("identity.clearance.grant", obj=user, before=before, after={"clearance": level})


def set_active(actor: User, user: User, active: bool) -> None:
    if not admin_role_allows(actor, Action.MANAGE_STAFF) or actor.pk == user.pk or user.is_admin:
        record_denied("identity.user.set_active", obj=user)
        raise Forbidden()
    with transaction.atomic():
        before = {"is_active": user.is_active}
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        record("identity.user.set_active", obj=user, before=before, after={"is_active": active})


# --- second factor -------------------------------------------------------------------------


def confirm_second_factor(user: User, code: str, *, action: str) -> None:
    """A fresh one-time code for a sensitive action (signing with a seal): the person must have a
    second factor set up, and a code is good once (the step is remembered, as at sign-in)."""
    if not user.totp_enabled or not user.totp_secret:
        raise Forbidden(
            _("This needs a second factor; set up an authenticator app on your account page first.")
        )
    if not (code or "").strip():
        raise Forbidden(_("Enter the 6-digit code from your authenticator app."))
    source = _source()
    _refuse_if_locked(user.username, user, source, "identity.sign_in")
    fresh = User.objects.only("totp_last_step").get(pk=user.pk)
    checked = totp.check(user.totp_secret, code.strip(), fresh.totp_last_step)
    if checked.reused:
        # Already used (at sign-in, or for the previous action): refused, as replay protection
        # wants, but it is no guess and the person only has to wait for the next code.
        raise Forbidden(_reused_message(checked.wait))
    step = checked.step
    if step is None:
        # Wrong codes count like wrong passwords: guessing locks the account for a while.
        _register_failure(user.username, user, source, WRONG_CODE, {"for": action})
        raise Forbidden(_("The one-time code is not correct."))
    # Claim the step in one statement: of two requests with the same code, one wins.
    if not User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step):
        raise Forbidden(_reused_message(totp.seconds_until_after(step)))
    user.totp_last_step = step


def begin_totp_enrolment(user: User) -> str:
    """A fresh secret to show to the user; nothing changes until ``confirm_totp`` succeeds."""
    return totp.new_secret()


def confirm_totp(user: User, secret: str, code: str) -> None:
    step = totp.matching_step(secret, code, 0)
    if step is None:
        raise InvalidInput(_("The code does not match. Check the time on your phone."), field="otp")
    with transaction.atomic():
        user.totp_secret = secret
        user.totp_enabled = True
        user.totp_last_step = step
        user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
        record("identity.totp.enable", obj=user)


def disable_totp(user: User, password: str) -> None:
    if user.is_admin:
        raise Forbidden(_("Administrators cannot turn off the second factor."))
    if not user.check_password(password or ""):
        raise InvalidInput(_("The current password is not correct."), field="password")
    with transaction.atomic():
        user.totp_secret = ""
        user.totp_enabled = False
        user.save(update_fields=["totp_secret", "totp_enabled"])
        record("identity.totp.disable", obj=user)


def set_totp_secret(user: User, secret: str) -> None:
    """Operator path (``createadmin``, demo): store a secret the operator hands over directly."""
    with transaction.atomic():
        user.totp_secret = secret
        user.totp_enabled = True
        user.totp_last_step = 0
        user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])
        record("identity.totp.enable", obj=user, detail=gettext_noop("set by operator"))


# --- API tokens ----------------------------------------------------------------------------


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str


def issue_token(user: User, name: str, days: int | None = None) -> IssuedToken:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the token a name."), field="name")
    if len(name) > 60:
        raise InvalidInput(_("A token name has at most 60 characters."), field="name")
    days = settings.TONGBAN_TOKEN_DAYS if days is None else days
    if not 1 <= days <= 366:
        raise InvalidInput(_("A token lasts between 1 and 366 days."), field="days")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:10],
            digest=_digest(raw),
            expires_at=timezone.now() + timedelta(days=days),
        )
        record(
            "identity.token.issue",
            obj=token,
            object_repr=f"{user.username}: {name}",
            after={"name": name, "expires_at": token.expires_at.isoformat()},
        )
    return IssuedToken(token, raw)


def revoke_token(user: User, token_id: int) -> None:
    token = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).first()
    if token is None:
        raise InvalidInput(_("No such active token."), field="token")
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record("identity.token.revoke", obj=token, object_repr=f"{user.username}: {token.name}")


def user_for_token(raw: str) -> User | None:
    """The active account a bearer token belongs to, or None (expired, revoked, unknown)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(raw)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        # Coarse on purpose: a write per request would serialise every API call on SQLite.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def sign_in_for_token(
    username: str, password: str, otp: str = "", days: int | None = None
) -> tuple[User, IssuedToken]:
    """``POST /api/v1/auth/token``: check the credentials like the sign-in page, then issue a token."""
    user = authenticate_staff(username, password, otp)
    issued = issue_token(user, name=f"api sign-in {timezone.now():%Y-%m-%d %H:%M}", days=days)
    return user, issued


def token_expiry(issued: IssuedToken) -> datetime:
    return issued.token.expires_at


def clear_expired_sessions() -> None:
    """Worker job: drop expired sessions so that signed-out data does not linger."""
    from importlib import import_module

    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
