"""Every user-visible string has a Simplified Chinese translation, and the catalogue is current."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "src/tongban/locale/zh_Hans/LC_MESSAGES/django.po"


def parse_po(path: Path) -> dict[str, str]:
    """msgid → msgstr (first plural form), joining continued lines; skips the header."""
    entries: dict[str, str] = {}
    fuzzy = False
    current: dict[str, str] = {}
    key = ""

    def unquote(text: str) -> str:
        return (
            text.strip()[1:-1]
            .encode("utf-8")
            .decode("unicode_escape")
            .encode("latin-1")
            .decode("utf-8")
        )

    def flush() -> None:
        nonlocal current, fuzzy
        if current.get("msgid"):
            entries[current["msgid"]] = (
                "" if fuzzy else current.get("msgstr", current.get("msgstr[0]", ""))
            )
        current, fuzzy = {}, False

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            if "msgid" in current:
                flush()
            key = "msgid"
            current[key] = unquote(line[6:])
        elif line.startswith(("msgstr ", "msgstr[0] ", "msgid_plural ", "msgstr[")):
            name, _, rest = line.partition(" ")
            key = name
            current[key] = unquote(rest)
        elif line.startswith('"') and key:
            current[key] += unquote(line)
        elif not line.strip():
            flush()
    flush()
    return entries


def test_every_message_is_translated():
    entries = parse_po(PO)
    assert len(entries) > 300
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == []


def test_catalogue_matches_the_source(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is needed (make install puts it there on Debian)")
    copy = tmp_path / "tongban"
    shutil.copytree(
        ROOT / "src/tongban", copy, ignore=shutil.ignore_patterns("static", "__pycache__")
    )
    env = {**os.environ, "TONGBAN_HOME": str(tmp_path / "home"), "PYTHONPATH": str(tmp_path)}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=copy,
        env={**env, "DJANGO_SETTINGS_MODULE": "tongban.settings.test"},
        check=True,
        capture_output=True,
    )
    fresh = parse_po(copy / "locale/zh_Hans/LC_MESSAGES/django.po")
    committed = parse_po(PO)
    assert set(fresh) - set(committed) == set(), "run makemessages and translate the new strings"
    assert set(committed) - set(fresh) == set(), "the catalogue has strings the code no longer uses"
