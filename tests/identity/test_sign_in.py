"""Sign-in: lockout, second factor, password policy, tokens, idle timeout."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from tests.conftest import PASSWORD
from tongban.audit.models import AuditEntry
from tongban.core.errors import Forbidden, InvalidInput, TooManyAttempts, Unauthenticated
from tongban.identity import lockout, services
from tongban.identity.models import User

pytestmark = pytest.mark.django_db


def sign_ins(outcome: str | None = None):
    qs = AuditEntry.objects.filter(action="identity.sign_in")
    return qs.filter(outcome=outcome) if outcome else qs


def test_success_and_failure_are_audited(make_staff):
    staff = make_staff("edu", "alice")
    with pytest.raises(Unauthenticated):
        services.authenticate_staff("alice", "wrong-password")
    services.authenticate_staff("alice", PASSWORD)
    assert sign_ins("failure").filter(object_id=str(staff.user_id)).count() == 1
    assert sign_ins("success").filter(actor_username="alice").count() == 1


def test_unknown_account_fails_with_the_same_message(db, english):
    with pytest.raises(Unauthenticated) as unknown:
        services.authenticate_staff("ghost", "whatever")
    assert "not correct" in str(unknown.value.message)
    assert sign_ins("failure").filter(object_repr="ghost").exists()


def test_five_failures_lock_for_fifteen_minutes(make_staff):
    make_staff("edu", "bob")
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            services.authenticate_staff("bob", "bad")
    with pytest.raises(TooManyAttempts):
        services.authenticate_staff("bob", "bad")
    [lock] = lockout.locks("bob", "")
    assert timedelta(minutes=14) < lock.until - timezone.now() <= timedelta(minutes=15)
    with pytest.raises(TooManyAttempts):  # the right password does not open a locked account
        services.authenticate_staff("bob", PASSWORD)
    with time_machine.travel(lock.until + timedelta(seconds=1)):
        assert services.authenticate_staff("bob", PASSWORD).username == "bob"


def test_administrators_need_the_second_factor(sysadmin):
    with pytest.raises(services.SecondFactorRequired):
        services.authenticate_staff("sysadmin", PASSWORD)
    code = pyotp.TOTP(sysadmin.totp_secret).now()
    assert services.authenticate_staff("sysadmin", PASSWORD, code).pk == sysadmin.pk
    with pytest.raises(Unauthenticated):  # a code is good once
        services.authenticate_staff("sysadmin", PASSWORD, code)


def test_administrator_without_second_factor_is_refused(make_admin):
    make_admin("auditor", "nototp", totp=False)
    with pytest.raises(Forbidden):
        services.authenticate_staff("nototp", PASSWORD, "123456")


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Short-1a", "at least 10"),
        ("alllowercaseletters", "at least 3"),
        ("abcdefghij12", "at least 3"),
    ],
)
def test_password_policy_messages(make_staff, password, fragment, english):
    staff = make_staff("edu")
    with pytest.raises(InvalidInput) as err:
        services.change_own_password(staff.user, PASSWORD, password)
    assert fragment in str(err.value.message)


def test_last_five_passwords_cannot_be_reused(make_staff):
    staff = make_staff("edu")
    user = staff.user
    history = [PASSWORD] + [f"Rotate-Pass-{i}x" for i in range(5)]
    for old, new in itertools.pairwise(history):
        services.change_own_password(user, old, new)
    with pytest.raises(InvalidInput):
        services.change_own_password(user, history[-1], history[-3])
    services.change_own_password(user, history[-1], history[0])  # six back is allowed again


@override_settings(TONGBAN_PASSWORD_MAX_AGE_DAYS=90)
def test_password_expires_after_rotation_period(make_staff):
    user = make_staff("edu").user
    assert not services.password_expired(user)
    user.password_changed_at = timezone.now() - timedelta(days=91)
    assert services.password_expired(user)


def test_tokens_are_stored_hashed_and_revocable(make_staff):
    user = make_staff("edu").user
    issued = services.issue_token(user, "script", days=1)
    assert issued.raw not in issued.token.digest and len(issued.token.digest) == 64
    assert services.user_for_token(issued.raw).pk == user.pk
    services.revoke_token(user, issued.token.pk)
    assert services.user_for_token(issued.raw) is None


def test_expired_token_is_refused(make_staff):
    user = make_staff("edu").user
    issued = services.issue_token(user, "old", days=1)
    issued.token.expires_at = timezone.now() - timedelta(seconds=1)
    issued.token.save()
    assert services.user_for_token(issued.raw) is None


@override_settings(TONGBAN_SESSION_IDLE_MINUTES=30)
def test_idle_session_is_signed_out(client, make_staff):
    user = make_staff("edu").user
    client.force_login(user)
    assert client.get("/workbench/").status_code == 200
    session = client.session
    session["tongban_last_seen"] = timezone.now().timestamp() - 31 * 60
    session.save()
    response = client.get("/workbench/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert client.get("/workbench/").status_code == 302


def test_expired_password_forces_change_page(client, make_staff):
    user = make_staff("edu").user
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client.force_login(user)
    response = client.get("/workbench/")
    assert response.status_code == 302 and response["Location"] == "/account/password/"


def test_sign_in_page_signs_in(client, make_staff):
    make_staff("edu", "webuser")
    response = client.post("/sign-in/", {"username": "webuser", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/workbench/"
    bad = client.post("/sign-in/", {"username": "webuser", "password": "nope"})
    assert bad.status_code == 200 and "webuser" in bad.content.decode()
