"""``python -m bench``: set up the benchmark's own database, then time the organisation.

Nothing of Django is imported before ``prepare_database`` has pointed the settings at the
benchmark's database (``bench.util``).
"""

from __future__ import annotations

import datetime
import os
import platform
import sys

from bench.util import REPETITIONS, WARM_UPS, prepare_database, timed


def main() -> int:
    database = prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhuy.settings")
    database.create()
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from bench import org

        started = datetime.datetime.now(datetime.UTC)
        print(f"Tỉnh ủy số — make bench (organisation), {started:%Y-%m-%d %H:%M} UTC")
        print(f"database   {_database_line(connection)}")
        for note in database.notes:
            print(f"           {note}")
        print(
            f"python     {platform.python_version()}, Django {django.get_version()}, "
            f"{platform.machine()}, {os.cpu_count()} CPUs; DEBUG={_debug()}"
        )
        load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
        print(f"load       {load} (1, 5, 15 min) at the start: other work on the machine skews")
        print(
            f"method     median and p95 of {REPETITIONS} runs after {WARM_UPS} warm-ups "
            "(time.perf_counter); requests through django.test.Client, logged in"
        )
        _, seconds = timed(lambda: call_command("migrate", verbosity=0, interactive=False))
        print(f"migrate    {seconds:.2f} s")
        org.run()
    finally:
        database.drop()
    return 0


def _database_line(connection: object) -> str:
    vendor = connection.vendor  # type: ignore[attr-defined]
    settings_dict = connection.settings_dict  # type: ignore[attr-defined]
    if vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} ({settings_dict['NAME']})"
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    host = f"{settings_dict['HOST'] or 'local socket'}:{settings_dict['PORT'] or 5432}"
    return f"PostgreSQL {version} ({host}, database {settings_dict['NAME']})"


def _debug() -> bool:
    from django.conf import settings

    return bool(settings.DEBUG)


if __name__ == "__main__":
    sys.exit(main())
