"""``tongban createadmin``: create one of the three administrators (三员) with a second factor."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tongban.audit.context import audit_context
from tongban.core.errors import ServiceError
from tongban.core.permissions import AdminRole
from tongban.identity import services, totp
from tongban.identity.models import User


class Command(BaseCommand):
    help = "Create a system, security or audit administrator, or give one a new second factor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=["system", "security", "auditor"])
        parser.add_argument("--name", default="", help="The person's name")
        parser.add_argument(
            "--password", default=None, help="Initial password (generated if absent)"
        )
        parser.add_argument("--reset-otp", action="store_true", help="Issue a new TOTP secret")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        role = AdminRole(options["role"])
        with audit_context(source="cli", ip="local"), transaction.atomic():
            existing = User.objects.filter(username__iexact=username).first()
            password = None
            try:
                if existing is None:
                    user, password = services.create_user(
                        username=username,
                        display_name=options["name"] or str(role.label),
                        password=options["password"],
                        admin_role=role.value,
                        must_change_password=True,
                    )
                elif options["reset_otp"]:
                    if existing.admin_role != role.value:
                        raise CommandError(
                            f"{username} exists and is not a {role.value} administrator"
                        )
                    user = existing
                else:
                    raise CommandError(
                        f"{username} exists; use --reset-otp to issue a new second factor"
                    )
            except ServiceError as exc:
                raise CommandError(str(exc.message)) from exc
            secret = totp.new_secret()
            services.set_totp_secret(user, secret)
        self.stdout.write(f"administrator: {user.username} ({role.label})")
        if password:
            self.stdout.write(f"initial password (change at first sign-in): {password}")
        self.stdout.write(f"TOTP secret: {secret}")
        self.stdout.write(f"TOTP URI: {totp.provisioning_uri(secret, user.username)}")
