from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhuy import reminders as shared
from tinhuy.meetings import reminders as r
from tinhuy.meetings.actions import do_send_follow_up_reminders


class Command(BaseCommand):
    help = (
        "Gửi thư nhắc việc Ban Thường vụ giao theo kết luận: nhắc các việc chưa hoàn thành sắp "
        "đến hạn (trong --within ngày) và các việc đã quá hạn. Thư gửi tới cán bộ văn phòng và "
        "thủ trưởng có địa chỉ thư của đơn vị chủ trì; việc quá hạn gửi cả Văn phòng Tỉnh ủy "
        "(quản trị của cấp ủy đã họp). Lời nhắc đã gửi cho cùng ngày không gửi lại. In ra từng "
        "thư gửi đi (-v 2: in cả nội dung). Thường chạy mỗi sáng bằng cron. Ví dụ: "
        "tinhuy meetings-remind --as-of 25/11/2020 --dry-run"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            "--ngay",
            dest="as_of",
            metavar="NGÀY",
            help="tính đến ngày (ngày/tháng/năm, ví dụ 25/11/2020); mặc định hôm nay",
        )
        parser.add_argument(
            "--within",
            "--trong",
            dest="within",
            type=int,
            default=shared.DEFAULT_WITHIN_DAYS,
            metavar="N",
            help=f"nhắc việc còn N ngày đến hạn trở xuống (mặc định {shared.DEFAULT_WITHIN_DAYS})",
        )
        parser.add_argument("--dry-run", action="store_true", help="chỉ in ra, không gửi gì")

    def handle(
        self,
        *args: Any,
        as_of: str | None,
        within: int,
        dry_run: bool,
        verbosity: int = 1,
        **options: Any,
    ) -> None:
        day = shared.day_of_command(as_of)
        if not 0 <= within <= shared.MAX_WITHIN_DAYS:
            raise CommandError(f"--within phải từ 0 đến {shared.MAX_WITHIN_DAYS} ngày.")
        if dry_run:
            outcome = r.plan_run(as_of=day, within_days=within)
        else:
            outcome = do_send_follow_up_reminders(as_of=day, within_days=within, acting_user=None)

        for reminder in outcome.to_send:
            follow_up = reminder.follow_up
            self.stdout.write(
                f"{r.KIND_LABELS[reminder.kind]} — việc số {follow_up.pk}, "
                f"{follow_up.lead_unit.name}, hạn {follow_up.due_on:%d/%m/%Y} → "
                + ", ".join(reminder.recipients)
            )
            if verbosity >= 2:
                self.stdout.write(f"  Tiêu đề: {reminder.subject}")
                self.stdout.write("  " + reminder.text.rstrip().replace("\n", "\n  "))
        if outcome.already_sent:
            self.stdout.write(
                f"Bỏ qua {len(outcome.already_sent)} lời nhắc đã gửi cho ngày {day:%d/%m/%Y}."
            )
        if outcome.no_recipients:
            ids = ", ".join(str(x.follow_up.pk) for x in outcome.no_recipients[:20])
            more = "…" if len(outcome.no_recipients) > 20 else ""
            self.stdout.write(
                f"{len(outcome.no_recipients)} lời nhắc không có địa chỉ thư để gửi "
                f"(việc số {ids}{more})."
            )
        if dry_run:
            self.stdout.write(f"Sẽ gửi {outcome.emails} thư nhắc (chạy thử, chưa gửi gì).")
        else:
            self.stdout.write(f"Đã gửi {outcome.emails} thư nhắc.")
