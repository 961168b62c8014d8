from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from tinhuy.ops.backup import BackupError, check_restore, restore_database
from tinhuy.progress import command_reporter

YES = {"yes", "y", "có", "co"}


class Command(BaseCommand):
    help = (
        "Replace ALL data in the SQLite database with the backup FILE (made by `tinhuy backup`). "
        "FILE is checked first (a SQLite database of Tỉnh ủy số that passes PRAGMA "
        "integrity_check); anything else is refused and nothing changes. Stop the server first. "
        "Asks for confirmation unless --yes. For PostgreSQL this prints the pg_restore command "
        "to run instead."
    )
    # A backup or restore must work while the rest of the application is misconfigured, and
    # should not wait for the checks to import every view.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", type=Path, help="the backup file to restore")
        parser.add_argument(
            "--yes",
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        db = settings.DATABASES["default"]
        src: Path = options["file"]
        try:
            if options["interactive"]:
                info = check_restore(db, src)
                self.stdout.write(
                    f"Phục hồi sẽ thay TOÀN BỘ dữ liệu trong {db['NAME']} bằng nội dung của "
                    f"{src} ({info.units} đơn vị, {info.audit_events} sự kiện nhật ký). "
                    "Nên dừng máy chủ trước khi phục hồi."
                )
                if not self._confirmed():
                    raise CommandError("Đã hủy; không thay đổi gì (--yes để không hỏi).")
            # Django's own connection is not needed: close it, so only the copy holds the file.
            connections.close_all()
            with command_reporter(self, options, "Dựng lại chỉ mục", unit="mục") as progress:
                info = restore_database(db, src, progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã phục hồi {db['NAME']} từ {info.path} "
            f"({info.units} đơn vị, {info.audit_events} sự kiện nhật ký). "
            "Nếu bản sao lưu cũ hơn phần mềm, hãy chạy `tinhuy migrate`."
        )

    def _confirmed(self) -> bool:
        try:
            answer = input("Gõ “yes” (hoặc “có”) để tiếp tục: ")
        except EOFError:  # no one to answer: never take silence for a yes
            self.stdout.write("")
            return False
        return answer.strip().lower() in YES
