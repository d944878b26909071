"""``tongban calendar status``: which years' holiday arrangements are known, and from where
(the ``chinese-calendar`` package or a notice entered by the system administrator); exit 1 while
a warning stands (a year to enter, or an entered notice the upgraded package disagrees with).

``tongban calendar import FILE [--year Y] [--notice N] --user LOGIN``: enter a year's State
Council notice from a CSV (``date,kind,name``) or JSON file, as the system administrator
``LOGIN`` (or TONGBAN_USER), through the same service as the web form: exit 0 entered, 1 refused
(every problem printed, nothing written), 2 nothing could be started.

``tongban calendar withdraw YEAR --user LOGIN``: delete an entered notice.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from tongban.audit.context import audit_context
from tongban.core import arrangements, calendar
from tongban.core.errors import ServiceError
from tongban.identity.models import User
from tongban.org import services


class Command(BaseCommand):
    help = "Holiday arrangements of each year: status, import a State Council notice, withdraw."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["status", "import", "withdraw"])
        parser.add_argument("target", nargs="?", help="import: the file; withdraw: the year")
        parser.add_argument("--year", type=int, help="import: the year (if the file does not say)")
        parser.add_argument("--notice", help="import: the notice's title or number")
        parser.add_argument("--user", help="the system administrator's login (or TONGBAN_USER)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "status":
            sys.exit(self._status())
        user = self._user(options.get("user") or os.environ.get("TONGBAN_USER", ""))
        target = options.get("target")
        if not target:
            self.stderr.write(
                f"{options['subcommand']} needs a {'file' if options['subcommand'] == 'import' else 'year'}"
            )
            sys.exit(2)
        with audit_context(user=user, source="cli", ip="local"):
            try:
                if options["subcommand"] == "withdraw":
                    if not target.isdecimal():
                        self.stderr.write(f"{target!r} is not a year")
                        sys.exit(2)
                    services.withdraw_holiday_arrangement(user, int(target))
                    self.stdout.write(f"withdrew the holiday arrangement for {target}")
                    sys.exit(0)
                path = Path(target)
                if not path.is_file():
                    self.stderr.write(f"{target}: no such file")
                    sys.exit(2)
                arrangement = services.import_holiday_arrangement(
                    user,
                    path.name,
                    path.read_bytes()[: arrangements.MAX_FILE_BYTES + 1],
                    year=options.get("year"),
                    notice=options.get("notice"),
                )
            except ServiceError as exc:
                self.stderr.write(str(exc.message))
                for key, messages in exc.errors.items():
                    for message in messages:
                        if message != str(exc.message):
                            self.stderr.write(f"  {key}: {message}")
                sys.exit(1)
        days = arrangement.days.all()
        off = sum(1 for d in days if not d.is_working_day)
        self.stdout.write(
            f"entered the holiday arrangement for {arrangement.year} ({arrangement.notice}): "
            f"{off} days off, {len(days) - off} make-up working days"
        )
        sys.exit(0)

    def _user(self, username: str) -> User:
        if not username:
            self.stderr.write("name the system administrator with --user LOGIN (or TONGBAN_USER)")
            sys.exit(2)
        user = User.objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            self.stderr.write(f"no active account {username!r}")
            sys.exit(2)
        return user

    def _status(self) -> int:
        first, last = calendar.package_years()
        today = timezone.localdate()
        self.stdout.write(f"chinese-calendar {calendar.package_version()}: {first}-{last}")
        warnings = 0
        for row in arrangements.overview(today):
            line = f"{row.year}  {row.source.value}"
            if row.arrangement is not None:
                line += (
                    f"  {row.arrangement.notice} (entered by "
                    f"{row.arrangement.entered_by_username or '?'}, "
                    f"{timezone.localtime(row.arrangement.updated_at):%Y-%m-%d %H:%M})"
                )
                if row.source == calendar.YearSource.PACKAGE:
                    line += "  [the package wins"
                    if row.disagreements:
                        warnings += 1
                        days = ", ".join(d.day.isoformat() for d in row.disagreements[:10])
                        line += f"; DISAGREES on {len(row.disagreements)} days: {days}"
                    else:
                        line += "; agrees"
                    line += "]"
            self.stdout.write(line)
        missing = calendar.missing_arrangement(today)
        if missing is not None:
            warnings += 1
            self.stdout.write(
                f"warning: the State Council arrangement for {missing} is not entered: from "
                f"1 January {missing} time limits count Monday to Friday. Enter it with "
                f"`tongban calendar import FILE --user LOGIN` or at /admin/calendar/years/{missing}/"
            )
        return 1 if warnings else 0
