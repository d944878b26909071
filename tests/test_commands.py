"""Operator commands: createadmin, worker, bench."""

from __future__ import annotations

import io

import pyotp
import pytest
from django.core.management import CommandError, call_command

from tongban.core import jobs
from tongban.identity import services
from tongban.identity.models import User


@pytest.mark.django_db
def test_createadmin_creates_an_administrator_with_a_working_second_factor():
    out = io.StringIO()
    call_command(
        "createadmin",
        "--username",
        "ops",
        "--role",
        "auditor",
        "--password",
        "Ops-Password-2026",
        stdout=out,
    )
    text = out.getvalue()
    secret = next(
        line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("TOTP secret")
    )
    user = User.objects.get(username="ops")
    assert user.admin_role == "auditor" and user.must_change_password
    assert (
        services.authenticate_staff("ops", "Ops-Password-2026", pyotp.TOTP(secret).now()).pk
        == user.pk
    )
    with pytest.raises(CommandError):
        call_command("createadmin", "--username", "ops", "--role", "auditor", stdout=io.StringIO())
    call_command(
        "createadmin", "--username", "ops", "--role", "auditor", "--reset-otp", stdout=io.StringIO()
    )
    user.refresh_from_db()
    assert user.totp_secret != secret


@pytest.mark.django_db
def test_createadmin_refuses_a_weak_password():
    with pytest.raises(CommandError):
        call_command(
            "createadmin",
            "--username",
            "weak",
            "--role",
            "system",
            "--password",
            "short",
            stdout=io.StringIO(),
        )
    assert not User.objects.filter(username="weak").exists()


def test_worker_runs_due_jobs_once_and_survives_a_failing_one():
    calls: list[str] = []
    jobs.register("test-ok", 60, lambda: calls.append("ok"))
    jobs.register("test-fail", 60, lambda: 1 / 0)
    try:
        ran = jobs.run_due(now=1000.0)
        assert "test-ok" in ran and "test-fail" not in ran and calls == ["ok"]
        assert "test-ok" not in jobs.run_due(now=1010.0)
        assert "test-ok" in jobs.run_due(now=1061.0)
    finally:
        jobs._jobs.pop("test-ok")
        jobs._jobs.pop("test-fail")


def test_bench_command_names_the_benchmarks_it_has():
    with pytest.raises(CommandError, match="audit"):
        call_command("bench", "no-such-benchmark")
