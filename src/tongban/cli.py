"""The ``tongban`` command: ``serve``, ``worker``, ``demo``, ``createadmin``, ``audit verify``,
``bench`` and every Django management command behind them."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    from tongban.settings.quiet import silence_known_warnings

    silence_known_warnings()  # before any settings module, whichever one is chosen
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings.base")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "tongban"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
