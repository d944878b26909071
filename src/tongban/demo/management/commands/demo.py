"""``tongban demo [--password P] [--json]``: seed the demo city 示范市 and print its logins.

Progress goes to stderr (``-v 0`` silences it), so that ``--json`` leaves stdout to the JSON.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.errors import ServiceError
from tongban.demo import services
from tongban.demo.documents import seed_documents


class Command(BaseCommand):
    help = "Create the demo city 示范市 (idempotent) and print its logins."
    verbosity = 1

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=None, help="Password for every demo account")
        parser.add_argument("--json", action="store_true", help="Print the logins as JSON only")
        parser.add_argument(
            "--documents",
            type=int,
            default=300,
            help="About how many official documents to seed on the first run (default 300)",
        )

    def progress(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stderr.write(f"demo: {message}", style_func=str)

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        self.progress("database…")
        call_command("migrate", verbosity=0, interactive=False)
        try:
            city = services.seed(options["password"], progress=self.progress)
            seeded = (
                seed_documents(max(options["documents"], 0), progress=self.progress)
                if options["documents"]
                else None
            )
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        found, password = city.logins, city.password
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "username": x.username,
                            "department": x.department,
                            "department_name": x.department_name,
                            "roles": x.roles,
                            "totp_secret": x.totp_secret,
                        }
                        for x in found
                    ],
                    ensure_ascii=False,
                    indent=1,
                )
            )
            return
        self.stdout.write(f"示范市 demo city: {len(found)} accounts")
        if seeded is not None and seeded.outgoing:
            self.stdout.write(
                f"official documents: {seeded.outgoing} outgoing at every step, "
                f"{seeded.incoming} in incoming registers, {seeded.imported} imported, "
                f"{seeded.external} from outside, {seeded.archived} archived"
            )
        kept = services.password_file()
        if city.generated:
            self.stdout.write(
                f"password of every demo account (generated; kept in {kept}): {password}"
            )
        elif city.password_set:
            self.stdout.write(
                f"password of every demo account (set now for {city.password_set}; "
                f"kept in {kept}): {password}"
            )
        elif city.other_password:
            self.stdout.write(
                f"password of the demo accounts: {password} — not of "
                f"{', '.join(city.other_password)}, changed since by their users "
                "(--password NEW sets a new one for every account)"
            )
        else:
            self.stdout.write(f"password of every demo account: {password}")
        self.stdout.write(
            f"{'login':<16} {'department':<14} {'roles':<28} {'TOTP secret':<34} name"
        )
        for x in found:
            self.stdout.write(
                f"{x.username:<16} {x.department:<14} {','.join(x.roles):<28} {x.totp_secret:<34} "
                f"{x.display_name} · {x.department_name}"
            )
