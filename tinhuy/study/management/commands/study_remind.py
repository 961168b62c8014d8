from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhuy.reminders import day_of_command
from tinhuy.study import reminders as r
from tinhuy.study.actions import do_send_reminders
from tinhuy.study.models import Plan


class Command(BaseCommand):
    help = (
        "Gửi thư nhắc việc của một kế hoạch học tập, quán triệt: nhắc các đơn vị sắp đến hạn "
        "(trong --within ngày) mà chưa tổ chức hội nghị, các đơn vị đã quá hạn, và báo cáo cấp "
        "trên danh sách đơn vị trực thuộc quá hạn. Thư gửi tới cán bộ văn phòng và thủ trưởng "
        "có địa chỉ thư của từng đơn vị; lời nhắc đã gửi cho cùng ngày không gửi lại. In ra "
        "từng thư gửi đi (-v 2: in cả nội dung). Thường chạy mỗi sáng bằng cron. Ví dụ: "
        "tinhuy study_remind --plan 1 --as-of 25/01/2021 --dry-run"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", type=int, required=True, metavar="ID", help="mã kế hoạch")
        parser.add_argument(
            "--as-of",
            metavar="NGÀY",
            help="tính đến ngày (ngày/tháng/năm, ví dụ 25/01/2021); mặc định hôm nay",
        )
        parser.add_argument(
            "--within",
            type=int,
            default=r.DEFAULT_WITHIN_DAYS,
            metavar="N",
            help=f"nhắc đơn vị còn N ngày đến hạn trở xuống (mặc định {r.DEFAULT_WITHIN_DAYS})",
        )
        parser.add_argument("--dry-run", action="store_true", help="chỉ in ra, không gửi gì")

    def handle(
        self,
        *args: Any,
        plan: int,
        as_of: str | None,
        within: int,
        dry_run: bool,
        verbosity: int = 1,
        **options: Any,
    ) -> None:
        target = Plan.objects.select_related("issuing_unit").filter(pk=plan).first()
        if target is None:
            raise CommandError(f"Không có kế hoạch mã {plan}.")
        day = day_of_command(as_of)
        if not 0 <= within <= r.MAX_WITHIN_DAYS:
            raise CommandError(f"--within phải từ 0 đến {r.MAX_WITHIN_DAYS} ngày.")
        try:
            if dry_run:
                r.check_can_remind(target)
                outcome = r.plan_run(target, as_of=day, within_days=within)
            else:
                outcome = do_send_reminders(target, as_of=day, within_days=within, acting_user=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

        for reminder in outcome.to_send:
            self.stdout.write(
                f"{r.KIND_LABELS[reminder.kind]} — {reminder.unit.name} ({reminder.unit.code}) → "
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
            codes = ", ".join(x.unit.code for x in outcome.no_recipients[:20])
            more = "…" if len(outcome.no_recipients) > 20 else ""
            self.stdout.write(
                f"{len(outcome.no_recipients)} lời nhắc không có địa chỉ thư để gửi "
                f"(đơn vị {codes}{more})."
            )
        if dry_run:
            self.stdout.write(f"Sẽ gửi {outcome.emails} thư nhắc (chạy thử, chưa gửi gì).")
        else:
            self.stdout.write(f"Đã gửi {outcome.emails} thư nhắc.")
