from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhuy.ops.backup import BackupError, backup_database


class Command(BaseCommand):
    help = (
        "Back up the SQLite database into FILE while the server keeps running (SQLite's online "
        "backup API). The copy is checked with PRAGMA integrity_check before it is renamed into "
        "place. An existing FILE is kept unless --force. For PostgreSQL this prints the "
        "pg_dump command to run instead. Restore with `tinhuy restore FILE`."
    )
    # A backup or restore must work while the rest of the application is misconfigured, and
    # should not wait for the checks to import every view.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", type=Path, help="the backup file to write")
        parser.add_argument(
            "--force", action="store_true", help="overwrite FILE if it already exists"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        db = settings.DATABASES["default"]
        try:
            info = backup_database(db, options["file"], overwrite=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã sao lưu {db['NAME']} vào {info.path} "
            f"({info.size / 1_000_000:.1f} MB; kiểm tra toàn vẹn: ok)."
        )
