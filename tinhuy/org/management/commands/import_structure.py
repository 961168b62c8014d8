from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhuy.documents.numbers import format_number
from tinhuy.org.importing import ImportResult, import_structure, size_error
from tinhuy.org.models import Structure
from tinhuy.progress import command_reporter


class Command(BaseCommand):
    help = (
        "Nhập đơn vị từ tệp CSV (UTF-8, phân cách bằng “,” hoặc “;”) hoặc .xlsx (trang “Đơn vị”) "
        "vào một cơ cấu đã có. Các cột: Mã, Tên, Cấp, Mã đơn vị cấp trên, Loại. Mọi dòng được "
        "kiểm tra trước; có lỗi thì in từng lỗi một dòng và không ghi gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="tệp .csv hoặc .xlsx")
        parser.add_argument(
            "--structure", required=True, metavar="CODE", help="mã cơ cấu, ví dụ nghe-an-2025"
        )
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra tệp, không ghi gì")

    def handle(self, *args: Any, file: Path, structure: str, dry_run: bool, **options: Any) -> None:
        target = Structure.objects.filter(code=structure).first()
        if target is None:
            codes = ", ".join(Structure.objects.values_list("code", flat=True))
            raise CommandError(f"Không có cơ cấu mã “{structure}”. Các cơ cấu: {codes}.")
        try:
            too_big = size_error(file.stat().st_size)  # before reading it into memory
            content = b"" if too_big else file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {file}: {exc.strerror}.") from exc
        if too_big:
            result = ImportResult(0, [too_big])
        else:
            with command_reporter(self, options, f"Nhập {file.name}", unit="bước") as progress:
                result = import_structure(
                    target,
                    content,
                    file.name,
                    acting_user=None,
                    dry_run=dry_run,
                    progress=progress,
                )
        for error in result.errors:  # at most tables.MAX_ERRORS lines and one counting the rest
            self.stderr.write(error.message)
        if result.errors:
            total = getattr(result.errors, "total", len(result.errors))
            raise CommandError(f"Không nhập được: {format_number(total)} lỗi; chưa ghi gì.")
        if options["verbosity"] < 1:
            return
        if dry_run:
            self.stdout.write(
                f"Tệp hợp lệ: {format_number(result.created)} đơn vị sẽ được nhập vào "
                f"{target.name} (chạy thử, chưa ghi gì)."
            )
        else:
            self.stdout.write(f"Đã nhập {format_number(result.created)} đơn vị vào {target.name}.")
