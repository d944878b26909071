"""A one-time code is good once (replay protection). The seal keeper who signed in with a code and
types it again to seal is refused — and told to wait for the next code, and for about how long,
in the language of the page, instead of being told the code is wrong."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from django.utils import translation

from tests.conftest import PASSWORD
from tests.seals.conftest import KEEPER_SECRET
from tongban.audit.models import AuditEntry
from tongban.core.errors import Forbidden, TooManyAttempts, Unauthenticated
from tongban.identity import lockout, totp
from tongban.identity import services as identity
from tongban.identity.models import SignInAttempt
from tongban.seals import services
from tongban.seals.models import SignedDocument

pytestmark = pytest.mark.django_db

# 10 s into a 30-second step an hour from now (the seal's certificate is valid then): the next
# code appears 20 s later.
MOMENT = datetime.fromtimestamp(int(time.time()) // 30 * 30 + 3600 + 10, tz=UTC)


def failures(user) -> int:
    """The failed attempts the lockout counts against this login (identity/lockout.py)."""
    return SignInAttempt.objects.filter(username=user.username.lower(), succeeded=False).count()


def code_at(moment: datetime) -> str:
    return pyotp.TOTP(KEEPER_SECRET).at(moment)


def test_check_tells_a_reused_code_from_a_wrong_one() -> None:
    now = MOMENT.timestamp()
    step = int(now // 30)
    code = code_at(MOMENT)
    assert totp.check(KEEPER_SECRET, code, step - 1, now) == totp.Check(step=step)
    assert totp.check(KEEPER_SECRET, code, step, now) == totp.Check(reused=True, wait=20)
    # The next step's code, taken early for drift, was used: wait for the one after it.
    ahead = pyotp.TOTP(KEEPER_SECRET).at(MOMENT + timedelta(seconds=30))
    assert totp.check(KEEPER_SECRET, ahead, step + 1, now) == totp.Check(reused=True, wait=50)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert totp.check(KEEPER_SECRET, wrong, step, now) == totp.Check()
    assert totp.matching_step(KEEPER_SECRET, code, step, now) is None


def test_the_code_used_at_sign_in_is_refused_at_sealing_with_a_hint_to_wait(seal, document):
    keeper = seal["keeper"]
    with time_machine.travel(MOMENT, tick=False):
        identity.authenticate_staff(keeper.username, PASSWORD, code_at(MOMENT))
        keeper.refresh_from_db()
        with translation.override("en"), pytest.raises(Forbidden) as english:
            services.sign_pdf(keeper, document, seal="FIN", otp=code_at(MOMENT))
        with translation.override("zh-hans"), pytest.raises(Forbidden) as chinese:
            services.sign_pdf(keeper, document, seal="FIN", otp=code_at(MOMENT))
    assert "already used" in str(english.value.message)
    assert "next code" in str(english.value.message) and "20 seconds" in str(english.value.message)
    assert "已使用" in str(chinese.value.message) and "20 秒" in str(chinese.value.message)
    assert not SignedDocument.objects.exists()
    assert AuditEntry.objects.filter(action="seals.sign", outcome="denied").exists()
    # The next code seals.
    later = MOMENT + timedelta(seconds=20)
    with time_machine.travel(later, tick=False):
        services.sign_pdf(keeper, document, seal="FIN", otp=code_at(later))
    assert SignedDocument.objects.count() == 1


def test_a_reused_code_is_no_guess_and_does_not_lock_the_account(seal, document, settings):
    keeper = seal["keeper"]
    with time_machine.travel(MOMENT, tick=False):
        services.sign_pdf(keeper, document, seal="FIN", otp=code_at(MOMENT))
        for _ in range(settings.TONGBAN_LOCKOUT_THRESHOLD + 1):
            with pytest.raises(Forbidden) as refused:
                services.sign_pdf(keeper, document, seal="FIN", otp=code_at(MOMENT))
            assert not isinstance(refused.value, TooManyAttempts)
    assert failures(keeper) == 0 and not lockout.locks(keeper.username, "")
    later = MOMENT + timedelta(seconds=30)
    with time_machine.travel(later, tick=False):
        services.sign_pdf(keeper, document, seal="FIN", otp=code_at(later))
    assert SignedDocument.objects.count() == 2


def test_a_wrong_code_is_still_called_wrong_and_counted(seal, document):
    keeper = seal["keeper"]
    with time_machine.travel(MOMENT, tick=False):
        wrong = f"{(int(code_at(MOMENT)) + 1) % 1_000_000:06d}"
        with translation.override("en"), pytest.raises(Forbidden) as refused:
            services.sign_pdf(keeper, document, seal="FIN", otp=wrong)
    assert str(refused.value.message) == "The one-time code is not correct."
    assert failures(keeper) == 1


def test_signing_in_again_with_a_used_code_says_to_wait(seal):
    keeper = seal["keeper"]
    with time_machine.travel(MOMENT, tick=False):
        identity.authenticate_staff(keeper.username, PASSWORD, code_at(MOMENT))
        with translation.override("en"), pytest.raises(Unauthenticated) as refused:
            identity.authenticate_staff(keeper.username, PASSWORD, code_at(MOMENT))
    assert "already used" in str(refused.value.message) and "20 seconds" in str(
        refused.value.message
    )
    assert failures(keeper) == 0


def test_the_sign_in_page_shows_the_hint(client, seal):
    keeper = seal["keeper"]
    with time_machine.travel(MOMENT, tick=False):
        identity.authenticate_staff(keeper.username, PASSWORD, code_at(MOMENT))
        response = client.post(
            "/sign-in/",
            {"username": keeper.username, "password": PASSWORD, "otp": code_at(MOMENT)},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "已使用" in page and "20 秒" in page
