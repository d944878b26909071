"""``tongban worker``: runs background jobs (and, from step 2 on, workflow timers)."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.core import jobs


class Command(BaseCommand):
    help = "Run background jobs until stopped (--once: one pass, for cron and tests)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        names = ", ".join(job.name for job in jobs.registered()) or "none"
        self.stdout.write(f"worker: jobs {names}")
        while True:
            ran = jobs.run_due()
            if ran:
                self.stdout.write(f"worker: ran {', '.join(ran)}")
            if options["once"] or stopping:
                return
            time.sleep(options["interval"])
