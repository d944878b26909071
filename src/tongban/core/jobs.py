"""Periodic jobs run by ``tongban worker``. Apps register theirs in ``AppConfig.ready``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger("tongban.worker")


@dataclass
class Job:
    name: str
    every_seconds: int
    func: Callable[[], object]
    last_run: float = 0.0


_jobs: dict[str, Job] = {}


def register(name: str, every_seconds: int, func: Callable[[], object]) -> None:
    _jobs[name] = Job(name, every_seconds, func)


def registered() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def run_due(now: float | None = None) -> list[str]:
    """Run every job whose interval has passed; a failing job is logged and does not stop others."""
    now = time.monotonic() if now is None else now
    ran: list[str] = []
    for job in registered():
        if job.last_run and now - job.last_run < job.every_seconds:
            continue
        try:
            job.func()
            ran.append(job.name)
        except Exception:
            logger.exception("job %s failed", job.name)
        job.last_run = now
    return ran
