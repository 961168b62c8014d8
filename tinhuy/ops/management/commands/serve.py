from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse


class Command(BaseCommand):
    help = "Serve the application with gunicorn on http://127.0.0.1:PORT until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT", "8000")),
            help="TCP port (default: $PORT or 8000)",
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")

    def handle(self, *args: Any, **options: Any) -> None:
        bind = f"{options['host']}:{options['port']}"
        # Every address of the machine (0.0.0.0) is not one a browser opens: show this machine's.
        shown = "127.0.0.1" if options["host"] in ("0.0.0.0", "") else options["host"]  # noqa: S104
        site = f"http://{shown}:{options['port']}"
        self.stdout.write(f"Tỉnh ủy số đang chạy tại {site}/  (Ctrl-C để dừng)")
        self.stdout.write(f"Đăng nhập tại {site}{reverse('login')}")
        self.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "tinhuy.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
