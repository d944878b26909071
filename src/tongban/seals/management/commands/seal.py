"""``tongban seal sign IN.pdf --seal DEPARTMENT_CODE --out OUT.pdf [--page N --x X --y Y]`` and
``tongban seal verify FILE.pdf`` (exit 0 when every signature is valid, 1 otherwise).

Sealing acts as a seal keeper: ``--user`` (or TONGBAN_SEAL_USER) names them and ``--otp`` (or
TONGBAN_SEAL_OTP, else a prompt) gives their one-time code, as in the web UI.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.audit.context import audit_context
from tongban.core.errors import ServiceError
from tongban.identity.models import User
from tongban.seals import services


class Command(BaseCommand):
    help = "Seal a PDF with a department's seal, or verify the signatures in a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["sign", "verify"])
        parser.add_argument("file", help="the PDF")
        parser.add_argument("--seal", help="sign: the department's code")
        parser.add_argument(
            "--personal", action="store_true", help="sign: with the user's own certificate"
        )
        parser.add_argument("--out", help="sign: where to write the sealed PDF")
        parser.add_argument("--page", type=int, help="sign: page (1 = first; default the last)")
        parser.add_argument("--x", type=float, help="sign: points from the left edge")
        parser.add_argument("--y", type=float, help="sign: points from the bottom edge")
        parser.add_argument("--reason", default="", help="sign: why (shown in the signature)")
        parser.add_argument("--user", help="sign: the seal keeper's login (or TONGBAN_SEAL_USER)")
        parser.add_argument("--otp", help="sign: their one-time code (or TONGBAN_SEAL_OTP)")
        parser.add_argument("--json", action="store_true", help="verify: the findings as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            self.stderr.write(f"{path}: no such file")
            sys.exit(2)
        try:
            if options["subcommand"] == "sign":
                self._sign(path, options)
            else:
                self._verify(path, options)
        except ServiceError as exc:
            self.stderr.write(str(exc.message))
            sys.exit(2)

    def _sign(self, path: Path, options: dict[str, Any]) -> None:
        if not (options.get("seal") or options.get("personal")) or not options.get("out"):
            self.stderr.write("sign needs --seal DEPARTMENT_CODE (or --personal) and --out OUT.pdf")
            sys.exit(2)
        username = options.get("user") or os.environ.get("TONGBAN_SEAL_USER", "")
        user = User.objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            self.stderr.write("name the seal keeper with --user or TONGBAN_SEAL_USER")
            sys.exit(2)
        otp = options.get("otp") or os.environ.get("TONGBAN_SEAL_OTP", "")
        if not otp and sys.stdin.isatty():
            otp = input(f"One-time code of {user.username}: ").strip()
        with audit_context(user=user, source="cli", ip="local"):
            sealed, document = services.sign_pdf(
                user,
                path.read_bytes(),
                seal=options.get("seal") or "",
                personal=bool(options.get("personal")),
                otp=otp,
                page=options.get("page"),
                x=options.get("x"),
                y=options.get("y"),
                reason=options.get("reason") or "",
                filename=path.name,
            )
        Path(options["out"]).write_bytes(sealed)
        self.stdout.write(
            f"Sealed {path.name} with {document.certificate.subject} on page {document.page}; "
            f"verification: {services.verify_url(document.token)}"
        )

    def _verify(self, path: Path, options: dict[str, Any]) -> None:
        try:
            report = services.verify_pdf(path.read_bytes())
        except ServiceError as exc:  # unreadable: certainly not validly signed
            self.stdout.write(f"{path.name}: {exc.message}")
            sys.exit(1)
        if options.get("json"):
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            if not report.signatures:
                self.stdout.write(f"{path.name}: no signatures")
            for n, sig in enumerate(report.signatures, 1):
                self.stdout.write(
                    f"#{n} {sig.status.upper()} {sig.seal or sig.signer} at {sig.signed_at_local}"
                    f"{' (timestamped)' if sig.timestamped else ''}; "
                    f"{'unchanged since' if sig.unchanged else 'CHANGED after'} this signature"
                )
                for problem in sig.problems:
                    self.stdout.write(f"   - {problem}")
            self.stdout.write("all signatures valid" if report.ok else "NOT all signatures valid")
        sys.exit(0 if report.ok else 1)
