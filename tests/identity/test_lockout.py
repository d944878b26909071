"""Lockout by login and by source (identity/lockout.py): an attacker who knows a login name
cannot lock its owner out, is throttled, and a spread attack from many addresses stays bounded."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD
from tongban.audit.context import audit_context
from tongban.audit.models import AuditEntry
from tongban.core.errors import Forbidden, TooManyAttempts, Unauthenticated
from tongban.identity import lockout, services
from tongban.identity.models import SignInAttempt

pytestmark = pytest.mark.django_db

ATTACKER = "10.0.0.66"
OFFICE = "10.0.0.1"


def attempt(username: str, password: str, ip: str):
    with audit_context(ip=ip, source="web"):
        return services.authenticate_staff(username, password)


def fail(username: str, ip: str, times: int = 1) -> list[type[Exception]]:
    raised = []
    for _ in range(times):
        with pytest.raises((Unauthenticated, TooManyAttempts)) as caught:
            attempt(username, "wrong-password", ip)
        raised.append(type(caught.value))
    return raised


def token(client: Client, username: str, password: str, ip: str):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_an_attacker_cannot_lock_the_mayor_out(client, make_staff):
    make_staff("edu", "mayor")
    answers = [token(client, "mayor", "guess-1234", ATTACKER).status_code for _ in range(7)]
    assert answers == [401, 401, 401, 401, 429, 429, 429]
    refused = token(client, "mayor", PASSWORD, ATTACKER)  # even the right password, from there
    assert refused.status_code == 429 and "minutes" in refused.json()["detail"]
    assert token(client, "mayor", PASSWORD, OFFICE).status_code == 201  # the mayor, at the office
    locked = AuditEntry.objects.filter(action="identity.lockout", object_repr__contains="mayor")
    assert locked.count() == 1 and "from this source" in locked.get().detail
    assert locked.get().ip == ATTACKER
    assert (
        AuditEntry.objects.filter(action="identity.sign_in", outcome="denied", ip=ATTACKER).count()
        == 3
    )


def test_the_web_sign_in_page_keeps_the_mayor_in_too(client, make_staff):
    make_staff("edu", "mayor")
    for _ in range(5):
        client.post("/sign-in/", {"username": "mayor", "password": "bad"}, REMOTE_ADDR=ATTACKER)
    page = client.post(
        "/sign-in/", {"username": "mayor", "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )
    assert page.status_code == 200 and "锁定" in page.content.decode()
    signed_in = client.post(
        "/sign-in/", {"username": "mayor", "password": PASSWORD}, REMOTE_ADDR=OFFICE
    )
    assert signed_in.status_code == 302


def test_a_source_that_fails_too_often_is_throttled_whatever_the_logins(make_staff, settings):
    make_staff("edu", "alice")
    assert settings.TONGBAN_LOCKOUT_SOURCE_THRESHOLD == 20
    logins = [f"guess{n}" for n in range(19)]  # 19 logins, each below its own threshold
    for login in logins:
        assert fail(login, ATTACKER) == [Unauthenticated]
    assert fail("alice", ATTACKER) == [TooManyAttempts]  # the 20th failure from the source
    with pytest.raises(TooManyAttempts) as throttled:
        attempt("alice", PASSWORD, ATTACKER)
    assert str(throttled.value.message).startswith("来自您所在网络地址的登录失败次数过多，请 ")
    assert attempt("alice", PASSWORD, OFFICE).username == "alice"  # other sources unaffected
    entry = AuditEntry.objects.get(action="identity.lockout", detail__startswith="source")
    assert entry.ip == ATTACKER
    later = timezone.now() + timedelta(minutes=15, seconds=1)
    with time_machine.travel(later):
        assert attempt("alice", PASSWORD, ATTACKER).username == "alice"  # the throttle ends


def test_unknown_logins_lock_like_real_ones(db):
    """A lock reveals nothing: a login that does not exist locks after the same failures."""
    assert fail("nobody-here", ATTACKER, 5) == [Unauthenticated] * 4 + [TooManyAttempts]


def test_a_spread_attack_is_bounded_and_the_owner_still_signs_in_where_they_do(make_staff):
    make_staff("edu", "mayor")
    attempt("mayor", PASSWORD, OFFICE)  # the office is a known source of the mayor
    raised = []
    for n in range(10):  # ten addresses, four guesses each: under the per-address threshold
        raised += fail("mayor", f"203.0.113.{n}", 4)
    # 20 guesses in the window from addresses the mayor never used, then every new one is refused.
    assert raised.count(Unauthenticated) == 19 and raised[19] == TooManyAttempts
    assert set(raised[20:]) == {TooManyAttempts}
    assert SignInAttempt.objects.filter(username="mayor", succeeded=False).count() == 20
    assert attempt("mayor", PASSWORD, OFFICE).username == "mayor"
    with pytest.raises(TooManyAttempts):  # a new address, while the attack lasts
        attempt("mayor", PASSWORD, "198.51.100.7")
    assert AuditEntry.objects.filter(
        action="identity.lockout", detail__startswith="login locked from sources"
    ).exists()


def test_ones_own_typing_errors_are_forgiven_by_signing_in(make_staff):
    make_staff("edu", "carol")
    fail("carol", OFFICE, 4)
    attempt("carol", PASSWORD, OFFICE)
    assert not SignInAttempt.objects.filter(username="carol", succeeded=False).exists()
    assert fail("carol", OFFICE, 4) == [Unauthenticated] * 4  # a fresh count
    assert lockout.known_source("carol", OFFICE)
    assert not lockout.known_source("carol", ATTACKER)


def test_wrong_codes_for_a_seal_lock_only_from_that_source(make_staff):
    """The second factor of a sensitive action counts like a sign-in, by source."""
    from tongban.identity import totp

    staff = make_staff("edu", "keeper")
    services.set_totp_secret(staff.user, totp.new_secret())
    for _ in range(4):
        with audit_context(ip=ATTACKER), pytest.raises(Forbidden):
            services.confirm_second_factor(staff.user, "000000", action="seals.sign")
    with audit_context(ip=ATTACKER), pytest.raises(TooManyAttempts):
        services.confirm_second_factor(staff.user, "000000", action="seals.sign")
    assert not lockout.locks("keeper", OFFICE)


def test_old_attempts_are_pruned(make_staff):
    make_staff("edu", "dave")
    fail("dave", ATTACKER)
    attempt("dave", PASSWORD, OFFICE)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert lockout.prune() == 1  # the failure; the known source stays
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        assert lockout.prune() == 1
    assert not SignInAttempt.objects.exists()


def test_the_sign_in_page_says_whom_to_ask_for_a_new_password(client, settings):
    page = client.get("/sign-in/").content.decode()
    assert "忘记密码？请联系系统管理员重置密码" in page
    assert "从同一地址登录失败 5 次后，账号在该地址锁定 15 分钟" in page
    assert "技术支持" not in page
    settings.TONGBAN_HELPDESK = "信息中心 0571-12345678"
    settings.TONGBAN_LOCKOUT_MINUTES = 30
    page = client.get("/sign-in/").content.decode()
    assert "技术支持：信息中心 0571-12345678" in page and "锁定 30 分钟" in page
