"""Shared set-up for benchmarks: a throw-away TONGBAN_HOME and Django on it."""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def django_in_temp_home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="tongban-bench-"))
    os.environ["TONGBAN_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.base")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return home


def report(name: str, figures: dict[str, Any]) -> None:
    """Write bench/results/NAME.json and print the figures as the last line (one JSON object)."""
    figures = {
        "benchmark": name,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        **figures,
    }
    RESULTS.mkdir(exist_ok=True)
    suffix = "-quick" if figures.get("quick") else ""
    (RESULTS / f"{name}{suffix}.json").write_text(
        json.dumps(figures, indent=2, ensure_ascii=False) + "\n"
    )
    print(json.dumps(figures, ensure_ascii=False))
