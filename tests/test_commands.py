"""Operator commands: createadmin, worker, bench; what every command prints on stderr."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings

import pyotp
import pytest
from django.core.management import CommandError, call_command

from tongban.core import jobs
from tongban.identity import services
from tongban.identity.models import User
from tongban.settings.quiet import silence_known_warnings


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


def _quiet_env(tmp_path) -> dict[str, str]:
    env = {**os.environ, "TONGBAN_HOME": str(tmp_path / "home")}
    env["DJANGO_SETTINGS_MODULE"] = "tongban.settings.base"
    env.pop("TONGBAN_DATABASE_URL", None)
    return env


def test_a_command_prints_no_dsa_deprecation_warning(tmp_path):
    # pyHanko imports cryptography's deprecated DSA key class: a user took the warning that
    # printed on every command for an error.
    result = subprocess.run(
        [sys.executable, "-m", "tongban", "check"],
        env=_quiet_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"
    assert result.stderr == ""


def test_the_web_server_loads_the_seals_without_the_dsa_warning(tmp_path):
    # gunicorn imports tongban.wsgi; the seals (and pyHanko) load with the URLconf
    code = "import tongban.wsgi, tongban.seals.pdf, tongban.urls; print('ok')"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_quiet_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", "")


def test_only_pyhankos_dsa_warning_is_silenced():
    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        silence_known_warnings()
        message = "DSA is deprecated and support will be removed in a future release."
        for module in ("pyhanko.sign.signers.pdf_cms", "tongban.seals.pdf", "pyhankox"):
            warnings.warn_explicit(message, CryptographyDeprecationWarning, "x.py", 1, module)
        warnings.warn_explicit("Other", CryptographyDeprecationWarning, "x.py", 1, "pyhanko.x")
        warnings.warn_explicit(message, DeprecationWarning, "x.py", 1, "pyhanko.sign")
    assert [(str(w.message)[:6], w.category.__name__) for w in caught] == [
        ("DSA is", "CryptographyDeprecationWarning"),  # tongban.seals.pdf
        ("DSA is", "CryptographyDeprecationWarning"),  # pyhankox
        ("Other", "CryptographyDeprecationWarning"),
        ("DSA is", "DeprecationWarning"),
    ]


def test_bench_command_passes_further_arguments_to_the_script(tmp_path, monkeypatch, capsys):
    from tongban.core.management.commands import bench

    (tmp_path / "echo.py").write_text(
        "import json, sys\nprint(json.dumps(sys.argv[1:]))\n", encoding="utf-8"
    )
    monkeypatch.setattr(bench, "bench_dir", lambda: tmp_path)
    calls: list[list[str]] = []
    monkeypatch.setattr(bench.subprocess, "call", lambda cmd, **kw: calls.append(cmd) or 0)
    call_command("bench", "echo", "--corpus", "holdout")
    call_command("bench", "echo", "--quick")
    assert [c[2:] for c in calls] == [["--corpus", "holdout"], ["--quick"]]
