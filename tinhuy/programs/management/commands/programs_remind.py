from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tinhuy import reminders as shared
from tinhuy.programs import reminders as r
from tinhuy.programs.actions import do_send_programme_reminders


class Command(BaseCommand):
    help = (
        "Gửi thư nhắc việc các chương trình, đề án đang thực hiện: nhiệm vụ chưa gửi báo cáo "
        "tiến độ khi kỳ báo cáo đã quá hạn, và nhiệm vụ quá hạn hoàn thành. Mỗi đơn vị chủ trì "
        "nhận một thư (cán bộ văn phòng và thủ trưởng có địa chỉ thư), chỉ về việc của đơn vị "
        "mình. Lời nhắc đã gửi cho cùng ngày không gửi lại. Thường chạy mỗi sáng bằng cron. "
        "Ví dụ: tinhuy programs-remind --as-of 15/04/2021 --dry-run"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            "--ngay",
            dest="as_of",
            metavar="NGÀY",
            help="tính đến ngày (ngày/tháng/năm, ví dụ 15/04/2021); mặc định hôm nay",
        )
        parser.add_argument("--dry-run", action="store_true", help="chỉ in ra, không gửi gì")

    def handle(
        self, *args: Any, as_of: str | None, dry_run: bool, verbosity: int = 1, **options: Any
    ) -> None:
        day = shared.day_of_command(as_of)
        if dry_run:
            outcome = r.plan_run(as_of=day)
        else:
            outcome = do_send_programme_reminders(as_of=day, acting_user=None)
        for reminder in outcome.to_send:
            late, overdue = reminder.of(r.Kind.LATE_REPORT), reminder.of(r.Kind.OVERDUE)
            self.stdout.write(
                f"{reminder.unit}: {len(late)} báo cáo chậm, {len(overdue)} nhiệm vụ quá hạn → "
                + ", ".join(reminder.recipients)
            )
            if verbosity >= 2:
                self.stdout.write(f"  Tiêu đề: {reminder.subject}")
                self.stdout.write("  " + reminder.text.rstrip().replace("\n", "\n  "))
        if outcome.already_sent:
            self.stdout.write(
                f"Bỏ qua {len(outcome.already_sent)} lời nhắc đã gửi cho ngày {day:%d/%m/%Y}."
            )
        for reminder in outcome.no_recipients:
            self.stdout.write(
                f"{reminder.unit}: không có địa chỉ thư để gửi ({len(reminder.items)} lời nhắc)."
            )
        if dry_run:
            self.stdout.write(f"Sẽ gửi {outcome.emails} thư nhắc (chạy thử, chưa gửi gì).")
        else:
            self.stdout.write(f"Đã gửi {outcome.emails} thư nhắc.")
