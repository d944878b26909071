"""Platform-wide promises: configuration documented, deploy check clean, health, layers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_tongban_variable_is_in_the_readme_table():
    used: set[str] = set()
    read = [ROOT / "Makefile", ROOT / "tests" / "interop.py"]
    for path in [*(ROOT / "src").rglob("*.py"), *(ROOT / ".ci").iterdir(), *read]:
        used |= set(re.findall(r"TONGBAN_[A-Z_]+[A-Z]", path.read_text(encoding="utf-8")))
    used -= {"TONGBAN_LOCKOUT_THRESHOLD_", "TONGBAN_TEST"}
    table = {
        m for m in re.findall(r"^\| `(TONGBAN_[A-Z_]+)`", (ROOT / "README.md").read_text(), re.M)
    }
    assert used, "no variables found: the scan is broken"
    assert used - table == set(), "missing from the README table"
    assert table - used == set(), "documented but not read anywhere"


def test_check_deploy_with_production_settings_is_clean(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tongban.settings.production",
        "TONGBAN_HOME": str(tmp_path),
    }
    env.pop("TONGBAN_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "tongban", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_import_layers_are_kept():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_sqlite_reads_the_database_through_a_memory_map(db, tmp_path):
    from django.conf import settings
    from django.db.utils import ConnectionHandler

    default = settings.DATABASES["default"]
    if not default["ENGINE"].endswith("sqlite3"):
        pytest.skip("a setting of the SQLite connection")
    handler = ConnectionHandler({"default": {**default, "NAME": str(tmp_path / "t.sqlite3")}})
    connection = handler["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size")
            assert cursor.fetchone()[0] == settings.SQLITE_MMAP_MB * 1024 * 1024 > 0
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    finally:
        connection.close()
