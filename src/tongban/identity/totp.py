"""TOTP second factor (RFC 6238) with replay protection.

A code is good once: the step it belongs to is remembered (``User.totp_last_step``) and no code of
that step or an earlier one is taken again. A person who signs in with a code and then needs
another (to seal a document) has to wait for the next one; ``check`` says so, and for how long,
instead of calling the code wrong.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pyotp

ISSUER = "tongban"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


@dataclass(frozen=True)
class Check:
    """What a code is: ``step`` when it is good (the time step it belongs to); otherwise
    ``reused`` when it is right but its step was used already, with ``wait`` the seconds until
    the authenticator shows a code that is not (at least 1)."""

    step: int | None = None
    reused: bool = False
    wait: int = 0


def seconds_until_after(step: int, now: float | None = None, interval: int = 30) -> int:
    """Seconds until the step after ``step`` begins: when its code appears (at least 1)."""
    now = time.time() if now is None else now
    return max(1, math.ceil((step + 1) * interval - now))


def check(secret: str, code: str, last_step: int, now: float | None = None) -> Check:
    """The code against the current time step (±1 step of drift); steps up to ``last_step``
    were used and are refused, as ``reused`` when the code is one of theirs."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6) or not secret:
        return Check()
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    current = int(now // totp.interval)
    reused = False
    for step in (current, current - 1, current + 1):
        if totp.at(step * totp.interval) == code:
            if step > last_step:
                return Check(step=step)
            reused = True
    if reused:
        return Check(reused=True, wait=seconds_until_after(last_step, now, totp.interval))
    return Check()


def matching_step(secret: str, code: str, last_step: int, now: float | None = None) -> int | None:
    """The time step the code belongs to (±1 step of drift), or None. Steps already used fail."""
    return check(secret, code, last_step, now).step
