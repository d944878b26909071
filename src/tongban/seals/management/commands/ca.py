"""``tongban ca init`` (the passphrase from TONGBAN_CA_PASSPHRASE, else a prompt), ``tongban ca
root`` (the root certificate as PEM, to trust it elsewhere: an NSS store for pdfsig, a browser),
``tongban ca crl --out FILE`` (the current revocation list, DER)."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongban.audit.context import audit_context
from tongban.core.errors import ServiceError
from tongban.seals import pki, services


class Command(BaseCommand):
    help = (
        "The platform CA: 'init' creates it, 'root' prints its certificate, 'crl' writes the CRL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["init", "root", "crl"])
        parser.add_argument("--out", help="crl: the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with audit_context(source="cli", ip="local"):
                getattr(self, f"_{options['subcommand']}")(options)
        except ServiceError as exc:
            self.stderr.write(str(exc.message))
            sys.exit(2)

    def _init(self, options: dict[str, Any]) -> None:
        passphrase = os.environ.get("TONGBAN_CA_PASSPHRASE", "")
        if not passphrase:
            if not sys.stdin.isatty():
                self.stderr.write("set TONGBAN_CA_PASSPHRASE or run this at a terminal")
                sys.exit(2)
            passphrase = getpass.getpass("Passphrase for the root CA key: ")
            if getpass.getpass("Again: ") != passphrase:
                self.stderr.write("the passphrases differ")
                sys.exit(2)
        result = services.init_ca(passphrase)
        self.stdout.write(
            f"Platform CA created for {result['organisation']}.\n"
            f"Root certificate SHA-256: {result['root_sha256']}\n"
            "Keep the passphrase apart from the database backups: the root key opens with it only."
        )

    def _root(self, options: dict[str, Any]) -> None:
        self.stdout.write(pki.pem(services.root_certificate()).decode(), ending="")

    def _crl(self, options: dict[str, Any]) -> None:
        data = services.crl_der()
        if options.get("out"):
            Path(options["out"]).write_bytes(data)
            self.stdout.write(f"{len(data)} bytes written to {options['out']}")
        else:
            sys.stdout.buffer.write(data)
