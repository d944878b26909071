"""``tongban bench NAME [--quick] [ARGS...]``: run ``bench/NAME.py`` from the source tree, with
any further arguments passed on to it (``tongban bench recognition --corpus holdout``)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def bench_dir() -> Path:
    for candidate in (Path.cwd() / "bench", Path(__file__).resolve().parents[5] / "bench"):
        if candidate.is_dir():
            return candidate
    raise CommandError("bench/ not found: run this from the tongban source tree")


class Command(BaseCommand):
    help = "Run a benchmark from bench/; its last output line is one JSON object."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--quick", action="store_true")
        parser.add_argument(
            "script_args",
            nargs=argparse.REMAINDER,
            help="further arguments for the benchmark script (e.g. --corpus holdout)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = bench_dir()
        script = folder / f"{options['name']}.py"
        if not script.is_file():
            names = ", ".join(
                sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))
            )
            raise CommandError(f"no benchmark {options['name']!r}; there are: {names}")
        cmd = [sys.executable, str(script)] + (["--quick"] if options["quick"] else [])
        cmd += list(options.get("script_args") or [])
        # Runs our own bench script with this interpreter.
        code = subprocess.call(cmd, env=os.environ.copy(), cwd=folder.parent)  # noqa: S603
        if code:
            raise CommandError(f"benchmark exited with {code}")
