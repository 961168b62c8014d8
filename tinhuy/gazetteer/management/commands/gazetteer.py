from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhuy.gazetteer.actions import do_publish_edition
from tinhuy.gazetteer.imports.folder import export_folder, import_folder
from tinhuy.progress import command_reporter


class Command(BaseCommand):
    help = (
        "Địa chí dưới dạng thư mục tệp. “import THƯ_MỤC” nhập entries/*.md (phần đầu YAML và "
        "nội dung Markdown), chapters.csv, indicators.csv, observations.csv: mọi tệp được kiểm "
        "tra trước, có lỗi thì in từng lỗi một dòng và không ghi gì. “export THƯ_MỤC” ghi bản "
        "làm việc hiện tại theo cùng định dạng. “publish NĂM --title …” công bố ấn bản của năm."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        do_import = sub.add_parser(
            "import", help="nhập một thư mục (mục từ ở trạng thái nháp, trừ khi có --publish)"
        )
        do_import.add_argument("directory", type=Path, metavar="THƯ_MỤC")
        do_import.add_argument(
            "--dry-run", action="store_true", help="chỉ kiểm tra thư mục, không ghi gì"
        )
        do_import.add_argument(
            "--publish",
            action="store_true",
            help="chuyển các mục từ đã nhập sang “đã duyệt đăng” (nháp → đã thẩm định → đã "
            "duyệt đăng), sẵn sàng cho ấn bản sau",
        )
        do_export = sub.add_parser("export", help="ghi bản làm việc ra một thư mục")
        do_export.add_argument("directory", type=Path, metavar="THƯ_MỤC")
        do_export.add_argument(
            "--force", action="store_true", help="ghi vào thư mục đã có tệp (thay các tệp cũ)"
        )
        publish = sub.add_parser("publish", help="công bố ấn bản của một năm")
        publish.add_argument("year", type=int, metavar="NĂM")
        publish.add_argument("--title", required=True, help="tên ấn bản")
        publish.add_argument("--notes", default="", help="ghi chú của ấn bản (Markdown)")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        if subcommand == "import":
            self.import_(options["directory"], options["dry_run"], options["publish"])
        elif subcommand == "export":
            self.export(options["directory"], options["force"])
        else:
            self.publish(options["year"], options["title"], options["notes"])

    def import_(self, directory: Path, dry_run: bool, publish: bool) -> None:
        label = f"Nhập {directory.name or directory}"
        with command_reporter(self, {"verbosity": self.verbosity}, label, unit="mục từ") as report:
            result = import_folder(
                directory, acting_user=None, publish=publish, dry_run=dry_run, progress=report
            )
        for error in result.errors:  # the first 100, then a line counting the others
            self.stderr.write(error.message)
        if result.errors:
            total = getattr(result.errors, "total", len(result.errors))
            raise CommandError(f"Không nhập được: {total} lỗi; chưa ghi gì.")
        if self.verbosity < 1:
            return
        summary = (
            f"{result.entries_created} mục từ mới, {result.entries_changed} mục từ sửa, "
            f"{result.entries_unchanged} mục từ không đổi; {result.chapters_created} chương mới; "
            f"{result.indicators_saved} chỉ tiêu mới hoặc sửa; {result.observations_added} số "
            f"liệu mới, {result.observations_revised} số liệu sửa"
        )
        if dry_run:
            self.stdout.write(f"Thư mục hợp lệ: sẽ nhập {summary} (chạy thử, chưa ghi gì).")
            return
        self.stdout.write(f"Đã nhập {summary}.")
        if publish:
            self.stdout.write(
                f"{result.entries_published} mục từ chuyển sang “đã duyệt đăng”; công chúng "
                "thấy chúng khi ấn bản sau được công bố (tinhuy gazetteer publish NĂM)."
            )
        else:
            self.stdout.write(
                "Các mục từ mới hoặc sửa ở trạng thái nháp; thẩm định và duyệt đăng trước khi "
                "công bố ấn bản, hoặc nhập lại với --publish."
            )

    def export(self, directory: Path, force: bool) -> None:
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"“{directory}” là một tệp, không phải thư mục.")
        if directory.is_dir() and any(directory.iterdir()) and not force:
            raise CommandError(
                f"Thư mục “{directory}” đã có tệp; chọn thư mục trống, hoặc thêm --force để ghi "
                "đè (các tệp mục từ cũ trong entries/ bị xóa)."
            )
        if force:
            # Entries deleted since the last export must not come back on the next import.
            for old in (directory / "entries").glob("*.md"):
                old.unlink()
        try:
            result = export_folder(directory)
        except OSError as exc:
            raise CommandError(f"Không ghi được vào {directory}: {exc.strerror}.") from exc
        self.stdout.write(
            f"Đã ghi {result.entries} mục từ, {result.chapters} chương, {result.indicators} chỉ "
            f"tiêu và {result.observations} số liệu vào {directory}."
        )

    def publish(self, year: int, title: str, notes: str) -> None:
        if not 1800 <= year <= 2100:
            raise CommandError(f"Năm “{year}” không hợp lệ.")
        try:
            edition = do_publish_edition(year, title=title, notes=notes, acting_user=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Đã công bố “{edition.title}”: {edition.entries.count()} mục từ, "
            f"{edition.observations.count()} số liệu."
        )
