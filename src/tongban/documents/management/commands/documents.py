"""``tongban documents import PATH... [--department CODE] [--user LOGIN]``: import existing
documents (.docx, .pdf, .txt; folders are searched) with what was recognised in each.
``tongban documents reindex``: rebuild the full-text index (after the vocabulary changed).

Progress is printed file by file (``ok``, ``same`` for a file whose content the unit has already,
``FAIL`` for an unreadable one, with the elements left to check) and a report at the end; exit 0
when every file was imported or was there already, 1 when some could not be read, 2 when nothing
could be started (no such path, no such department). Nothing is refused for missing metadata:
what was not recognised is flagged for review (待核对).
``--user`` (or TONGBAN_USER) imports as that staff member, with their permission; without it the
operator at the shell imports into ``--department``, as ``migrate`` and ``demo`` act.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.audit.context import audit_context
from tongban.core.errors import ServiceError
from tongban.documents import importing, indexing
from tongban.identity.models import User
from tongban.org.models import Department


def _files(paths: list[str]) -> tuple[list[Path], list[str]]:
    found: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in importing.SUFFIXES
            )
        elif path.is_file():
            found.append(path)
        else:
            missing.append(raw)
    return found, missing


class Command(BaseCommand):
    help = "Import existing official documents (.docx, .pdf, .txt) with their elements recognised."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["import", "reindex"])
        parser.add_argument("paths", nargs="*", help="import: files or folders")
        parser.add_argument("--department", help="the department's code (default: the user's)")
        parser.add_argument("--user", help="import as this staff member (or TONGBAN_USER)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "reindex":
            with audit_context(source="cli", ip="local"):
                count = indexing.rebuild()
            self.stdout.write(f"indexed {count} documents")
            return
        if not options["paths"]:
            self.stderr.write("import needs at least one file or folder")
            sys.exit(2)
        files, missing = _files(options["paths"])
        for raw in missing:
            self.stderr.write(f"{raw}: no such file or folder")
        if not files:
            self.stderr.write("no .docx, .pdf or .txt file to import")
            sys.exit(2)
        username = options.get("user") or os.environ.get("TONGBAN_USER", "")
        user = None
        if username:
            user = User.objects.filter(username__iexact=username, is_active=True).first()
            if user is None:
                self.stderr.write(f"no active account {username!r}")
                sys.exit(2)
        department = None
        if options.get("department"):
            department = Department.objects.filter(code__iexact=options["department"]).first()
            if department is None:
                self.stderr.write(f"no department with the code {options['department']!r}")
                sys.exit(2)
        elif user is None:
            self.stderr.write("name the department with --department CODE (or act as --user)")
            sys.exit(2)
        uploads = [(str(path), path.read_bytes()) for path in files]

        def progress(index: int, total: int, report: importing.FileReport) -> None:
            mark = "same" if report.duplicate else "ok  " if report.ok else "FAIL"
            line = f"[{index}/{total}] {mark} {Path(report.name).name}: {report.message}"
            if report.review:
                line += f" (to check: {'、'.join(report.review)})"
            self.stdout.write(line)

        with audit_context(user=user, source="cli", ip="local"):
            try:
                reports = importing.import_files(
                    user,
                    uploads,
                    department=department.code if department else None,
                    on_progress=progress,
                )
            except ServiceError as exc:
                self.stderr.write(str(exc.message))
                sys.exit(2)
        imported = sum(1 for r in reports if r.ok and not r.duplicate)
        duplicates = sum(1 for r in reports if r.duplicate)
        to_check = sum(1 for r in reports if r.review)
        failed = [r for r in reports if not r.ok]
        summary = f"imported {imported} of {len(reports)} files"
        if duplicates:
            summary += f"; already imported before: {duplicates}"
        if to_check:
            summary += f"; with elements to check (待核对): {to_check}"
        if failed or missing:
            summary += f"; not imported: {len(failed) + len(missing)}"
        self.stdout.write(summary)
        for report in failed:
            self.stdout.write(f"  {report.name}: {report.message}")
        sys.exit(0 if not failed and not missing else 1)
