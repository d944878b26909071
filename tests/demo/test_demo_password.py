"""``tongban demo --password P`` on a demo that exists, and the password the demo prints.

Every password the command prints opens the accounts it names: a chosen password is set for
every demo account (audited, the policy checked) or refused with the policy's reason and nothing
changed; without one, the kept password is printed only for the accounts it still opens.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tongban.audit.models import AuditEntry
from tongban.core.errors import Unauthenticated
from tongban.demo import services
from tongban.identity import services as identity
from tongban.identity.models import User

pytestmark = pytest.mark.django_db
OLD = "Demo-Old-Pass-2026"
NEW = "Demo-New-Pass-2027"


@pytest.fixture(autouse=True)
def home(settings, tmp_path) -> Path:
    """A data folder of its own: the kept password lives in ``secrets/demo_password``."""
    settings.HOME = tmp_path
    return tmp_path


def run_demo(*args: str, documents: int = 0) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", *args, "--documents", str(documents), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args: str) -> tuple[str, str]:
    """The command's error and what it printed on stdout before it."""
    out = io.StringIO()
    with pytest.raises(CommandError) as err:
        call_command("demo", *args, "--documents", "0", stdout=out, stderr=io.StringIO())
    return str(err.value), out.getvalue()


def opened_by(password: str) -> set[str]:
    return {u.username for u in User.objects.all() if u.check_password(password)}


def test_a_chosen_password_on_an_existing_demo_is_set_for_every_account(home):
    run_demo("--password", OLD)
    usernames = set(services.demo_usernames())
    assert len(usernames) == 68 and opened_by(OLD) == usernames
    users = User.objects.count()

    out, _ = run_demo("--password", NEW)

    assert opened_by(NEW) == usernames and opened_by(OLD) == set()
    assert identity.authenticate_staff("clerk", NEW).username == "clerk"
    with pytest.raises(Unauthenticated):
        identity.authenticate_staff("chief", OLD)
    assert out.splitlines()[1] == (
        f"password of every demo account (set now for 68; kept in {home}/secrets/demo_password): "
        f"{NEW}"
    )
    assert OLD not in out
    assert (home / "secrets" / "demo_password").read_text() == NEW
    assert (home / "secrets" / "demo_password").stat().st_mode & 0o777 == 0o600
    entries = AuditEntry.objects.filter(action="identity.password.set")
    demo_ids = User.objects.filter(username__in=usernames).values_list("pk", flat=True)
    assert sorted(int(e.object_id) for e in entries) == sorted(demo_ids)
    assert {e.object_type for e in entries} == {"identity.user"}
    assert {(e.source, e.outcome, e.detail) for e in entries} == {
        ("cli", "success", "tongban demo --password")
    }
    assert User.objects.count() == users
    # The same password again changes nothing and records nothing.
    audit = AuditEntry.objects.count()
    out, _ = run_demo("--password", NEW)
    assert out.splitlines()[1] == f"password of every demo account: {NEW}"
    assert AuditEntry.objects.count() == audit


def test_a_password_the_policy_refuses_changes_nothing(home):
    run_demo("--password", OLD)
    audit = AuditEntry.objects.count()

    message, out = refused("--password", "short")

    assert message == (
        "密码至少须有 10 个字符。 密码须至少包含以下 3 类字符：小写字母、大写字母、数字、符号。"
    )
    assert out == ""  # no table of logins, no password
    assert opened_by(OLD) == set(services.demo_usernames())
    assert (home / "secrets" / "demo_password").read_text() == OLD
    assert AuditEntry.objects.count() == audit


def test_a_password_one_account_used_before_is_refused_naming_it_and_nothing_changes(home):
    run_demo("--password", OLD)
    clerk = User.objects.get(username="clerk")
    identity.change_own_password(clerk, OLD, "Clerk-Own-Pass-2026")
    identity.change_own_password(clerk, "Clerk-Own-Pass-2026", "Clerk-Next-Pass-2026")
    audit = AuditEntry.objects.count()

    message, out = refused("--password", "Clerk-Own-Pass-2026")

    assert message == "clerk 不能使用该密码：新密码不能与最近 5 次使用的密码相同。"
    assert out == ""
    # rolled back: the accounts set before clerk's refusal keep the old password
    assert opened_by(OLD) == set(services.demo_usernames()) - {"clerk"}
    assert opened_by("Clerk-Next-Pass-2026") == {"clerk"}
    assert (home / "secrets" / "demo_password").read_text() == OLD
    assert AuditEntry.objects.count() == audit


def test_without_a_password_a_new_demo_gets_one_kept_for_the_next_run(home):
    out, _ = run_demo()
    kept = (home / "secrets" / "demo_password").read_text()
    assert kept.startswith("Demo-") and kept.endswith("-2026")
    assert out.splitlines()[1] == (
        f"password of every demo account (generated; kept in {home}/secrets/demo_password): {kept}"
    )
    assert opened_by(kept) == set(services.demo_usernames())
    audit = AuditEntry.objects.count()
    out, err = run_demo()
    assert out.splitlines()[1] == f"password of every demo account: {kept}"
    assert AuditEntry.objects.count() == audit
    # No account changed: none is checked again (an argon2 hash each outside the tests).
    assert err == "demo: database…\n"


def test_without_a_password_the_kept_one_is_printed_for_the_accounts_it_opens(home):
    run_demo("--password", OLD)
    for username in ("clerk", "chief"):
        user = User.objects.get(username=username)
        identity.change_own_password(user, OLD, f"{username.title()}-Own-Pass-2026")

    out, err = run_demo()

    assert err.splitlines()[1] == "demo: checking passwords changed since the last run: 2…"
    assert out.splitlines()[1] == (
        f"password of the demo accounts: {OLD} — not of chief, clerk, changed since by their "
        "users (--password NEW sets a new one for every account)"
    )
    assert opened_by(OLD) == set(services.demo_usernames()) - {"clerk", "chief"}
    # still the two on the next run: they are checked again, and still do not open with it
    out, err = run_demo()
    assert err.splitlines()[1] == "demo: checking passwords changed since the last run: 2…"
    assert "— not of chief, clerk, changed since" in out.splitlines()[1]


def test_without_a_password_the_demo_refuses_when_none_it_knows_opens_it(home):
    run_demo("--password", OLD)
    kept = home / "secrets" / "demo_password"
    kept.unlink()
    message, out = refused()
    assert message == f"演示账户已存在，但其密码未保存在 {kept}：请用 --password 设置新密码。"
    assert out == "" and not kept.exists()

    kept.write_text("Other-Pass-2026x")
    message, out = refused()
    assert message == f"{kept} 中保存的密码无法登录任何演示账户：请用 --password 设置新密码。"
    assert out == ""
    assert opened_by(OLD) == set(services.demo_usernames())


def test_the_demo_says_how_far_it_is_on_stderr(home):
    out, err = run_demo("--password", OLD, "--json", documents=10)
    assert len(json.loads(out)) == 68  # stdout is the JSON alone
    lines = err.splitlines()
    assert lines[:3] == [
        "demo: database…",
        "demo: departments and accounts (68 to create)…",
        "demo: accounts 23/68…",
    ]
    assert "demo: outgoing documents 0/8…" in lines and lines[-1] == "demo: records…"
    out, err = run_demo("--password", OLD, "-v", "0")
    assert err == "" and out.startswith("示范市 demo city: 68 accounts\n")
