"""Lockout (登录失败处理, 等保 2.0) by login *and* by source address: guessing is stopped without
handing anyone who knows a login name the power to lock its owner out.

Every rule counts the failures (wrong password, wrong one-time code, unknown or inactive login)
of the last ``TONGBAN_LOCKOUT_MINUTES`` (W, 15):

1. **A login from one source.** ``TONGBAN_LOCKOUT_THRESHOLD`` (5) failures of one login from one
   address lock that login *from that address*. The owner, signing in from their own address,
   is not affected: an attacker at 10.0.0.66 cannot lock the mayor out at 10.0.0.1.
2. **A source.** ``TONGBAN_LOCKOUT_SOURCE_THRESHOLD`` (20) failures from one address, whatever
   the logins, throttle the address: every sign-in from it is refused (HTTP 429 on the API).
3. **A login from everywhere** (a spread attack, from many addresses).
   ``TONGBAN_LOCKOUT_ACCOUNT_THRESHOLD`` (20) failures of one login, from any addresses, lock it
   from every address it has not signed in from in the last ``TONGBAN_KNOWN_SOURCE_DAYS`` (90).
   Its owner still signs in where they usually do; the attack gets at most that many guesses at
   the password per W, however many addresses it has (plus rule 1's few from each address the
   owner did use).

A lock lasts while its rule holds: until W after the oldest of the failures that make it (W after
a quick burst). Refused attempts are not counted, so a lock does not grow longer by itself.
A failure is forgiven when the same login then signs in from the same address, so a person's own
typing errors do not count toward rules 2 and 3. Unknown logins are counted like real ones, so a
lock says nothing about whether an account exists. A setting of 0 turns its rule off. Behind a
reverse proxy, set ``TONGBAN_TRUSTED_PROXY`` so that the source is the client's address, not the
proxy's (otherwise every client shares one source and rule 2 would throttle them all).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from tongban.identity.models import SignInAttempt

LOGIN_FROM_SOURCE = "login_from_source"
SOURCE = "source"
LOGIN = "login"


@dataclass(frozen=True)
class Lock:
    scope: str  # LOGIN_FROM_SOURCE, SOURCE or LOGIN
    until: datetime

    def minutes_left(self, now: datetime | None = None) -> int:
        seconds = (self.until - (now or timezone.now())).total_seconds()
        return max(1, int(seconds // 60) + 1)


def window() -> timedelta:
    return timedelta(minutes=settings.TONGBAN_LOCKOUT_MINUTES)


def _held(failures: QuerySet[SignInAttempt], threshold: int, now: datetime) -> datetime | None:
    """When the rule stops holding, if ``threshold`` of ``failures`` fall in the window now."""
    if threshold <= 0:
        return None
    times = list(
        failures.filter(at__gt=now - window())
        .order_by("-at")
        .values_list("at", flat=True)[:threshold]
    )
    if len(times) < threshold:
        return None
    return times[-1] + window()


def known_source(username: str, source: str, now: datetime | None = None) -> bool:
    """Whether ``username`` signed in from ``source`` within TONGBAN_KNOWN_SOURCE_DAYS."""
    since = (now or timezone.now()) - timedelta(days=settings.TONGBAN_KNOWN_SOURCE_DAYS)
    return SignInAttempt.objects.filter(
        username=username.lower(), source=source, succeeded=True, at__gt=since
    ).exists()


def locks(username: str, source: str, now: datetime | None = None) -> list[Lock]:
    """Every lock in force against ``username`` signing in from ``source``, longest first."""
    now = now or timezone.now()
    username = username.lower()
    failures = SignInAttempt.objects.filter(succeeded=False)
    found: list[Lock] = []
    until = _held(failures.filter(source=source), settings.TONGBAN_LOCKOUT_SOURCE_THRESHOLD, now)
    if until is not None:
        found.append(Lock(SOURCE, until))
    until = _held(
        failures.filter(username=username, source=source),
        settings.TONGBAN_LOCKOUT_THRESHOLD,
        now,
    )
    if until is not None:
        found.append(Lock(LOGIN_FROM_SOURCE, until))
    until = _held(
        failures.filter(username=username), settings.TONGBAN_LOCKOUT_ACCOUNT_THRESHOLD, now
    )
    if until is not None and not known_source(username, source, now):
        found.append(Lock(LOGIN, until))
    return sorted(found, key=lambda lock: lock.until, reverse=True)


def record_failure(username: str, source: str) -> list[Lock]:
    """Count a failure; the locks it newly set (to be audited), if any."""
    before = {lock.scope for lock in locks(username, source)}
    SignInAttempt.objects.create(username=username.lower()[:150], source=source)
    return [lock for lock in locks(username, source) if lock.scope not in before]


def record_success(username: str, source: str) -> None:
    """Forgive the failures of this login from this source; remember the source as known."""
    username = username.lower()[:150]
    SignInAttempt.objects.filter(username=username, source=source).delete()
    SignInAttempt.objects.create(username=username, source=source, succeeded=True)


def prune() -> int:
    """Worker job: failures that no rule counts any more, and sources no longer known."""
    now = timezone.now()
    keep_failures = max(window(), timedelta(days=1))
    known = timedelta(days=max(settings.TONGBAN_KNOWN_SOURCE_DAYS, 1))
    deleted, _ = SignInAttempt.objects.filter(succeeded=False, at__lt=now - keep_failures).delete()
    gone, _ = SignInAttempt.objects.filter(succeeded=True, at__lt=now - known).delete()
    return deleted + gone
