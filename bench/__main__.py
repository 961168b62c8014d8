"""``python -m bench [org] [gazetteer] [meetings] [programs]``: set up the benchmark's own
database, then time the organisation, the gazetteer, the Standing Board meetings and the
programmes (all by default, in that order; name some to run only them).

Nothing of Django is imported before ``prepare_database`` has pointed the settings at the
benchmark's database (``bench.util``).
"""

from __future__ import annotations

import datetime
import os
import platform
import sys

from bench.util import REPETITIONS, WARM_UPS, prepare_database, timed

BENCHES = {
    "org": "organisation",
    "gazetteer": "gazetteer",
    "meetings": "Standing Board meetings",
    "programs": "programmes",
}


def main(argv: list[str] | None = None) -> int:
    names = sys.argv[1:] if argv is None else argv
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        raise SystemExit(
            f"usage: python -m bench [{'] ['.join(BENCHES)}]; unknown: {', '.join(unknown)}"
        )
    selected = [n for n in BENCHES if n in names] or list(BENCHES)
    database = prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhuy.settings")
    database.create()
    try:
        import django

        django.setup()
        from tinhuy.bulk import freeze_startup_objects

        freeze_startup_objects()  # as a worker does (tinhuy.wsgi)
        from django.core.management import call_command
        from django.db import connection

        started = datetime.datetime.now(datetime.UTC)
        what = ", ".join(BENCHES[n] for n in selected)
        print(f"Tỉnh ủy số — make bench ({what}), {started:%Y-%m-%d %H:%M} UTC")
        print(f"database   {_database_line(connection)}")
        for note in database.notes:
            print(f"           {note}")
        print(
            f"python     {platform.python_version()}, Django {django.get_version()}, "
            f"{platform.machine()}, {os.cpu_count()} CPUs; DEBUG={_debug()}"
        )
        load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
        print(f"load       {load} (1, 5, 15 min) at the start: other work on the machine skews")
        if "org" in selected:
            print(
                f"method     median and p95 of {REPETITIONS} runs after {WARM_UPS} warm-ups "
                "(time.perf_counter); requests through django.test.Client, logged in"
            )
        _, seconds = timed(lambda: call_command("migrate", verbosity=0, interactive=False))
        print(f"migrate    {seconds:.2f} s")
        if "org" in selected:
            from bench import org

            org.run()
        if "gazetteer" in selected:
            from bench import gazetteer

            if "org" in selected:
                print("")
            gazetteer.run()
        if "meetings" in selected:
            from bench import meetings

            meetings.run()
        if "programs" in selected:
            from bench import programs, programs_import

            programs.run()
            programs_import.run()
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
