"""``tongban serve``: the production server (gunicorn); ``--dev`` for Django's autoreloader."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve tongban on 127.0.0.1:8000 with gunicorn (or --dev for autoreload)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("TONGBAN_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("TONGBAN_PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("TONGBAN_WORKERS", "2"))
        )
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--dev", action="store_true", help="Django's development server")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if options["dev"]:
            call_command("runserver", f"{host}:{port}")
            return
        from gunicorn.app.base import BaseApplication

        from tongban.wsgi import application

        config = {
            "bind": f"{host}:{port}",
            "workers": options["workers"],
            "threads": options["threads"],
            "worker_class": "gthread",
            "accesslog": "-",
            "errorlog": "-",
            "timeout": 60,
            "graceful_timeout": 10,
            "forwarded_allow_ips": "127.0.0.1" if settings.TONGBAN_TRUSTED_PROXY else "",
        }

        class Server(BaseApplication):
            def load_config(self) -> None:
                for key, value in config.items():
                    self.cfg.set(key, value)  # type: ignore[union-attr]

            def load(self) -> Any:
                return application

        self.stdout.write(
            f"tongban serving on http://{host}:{port}/ ({options['workers']} workers)"
        )
        Server().run()
