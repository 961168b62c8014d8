from __future__ import annotations

import itertools
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from tinhuy.org.access import EVERYTHING
from tinhuy.org.models import Unit
from tinhuy.reminders import day_of_command
from tinhuy.study import queries
from tinhuy.study.models import Plan, PlanState


class Command(BaseCommand):
    help = (
        "Tính sẵn tiến độ học tập, quán triệt của từng tỉnh cho các kế hoạch trên cơ cấu nhiều "
        "tỉnh (toàn quốc) và lưu vào cơ sở dữ liệu, để lần xem đầu tiên trong ngày không phải "
        "chờ tính cả nước. Chạy sau nửa đêm (cron, systemd timer) và sau mỗi lần triển khai. "
        "Ví dụ: tinhuy study-warm; tinhuy study-warm --plan 3 --as-of 25/01/2021 --language vi en"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--plan",
            type=int,
            action="append",
            metavar="ID",
            help="mã kế hoạch (lặp lại được); mặc định mọi kế hoạch đã ban hành của cơ cấu "
            "nhiều tỉnh",
        )
        parser.add_argument(
            "--as-of",
            metavar="NGÀY",
            help="tính đến ngày (ngày/tháng/năm, ví dụ 25/01/2021); mặc định hôm nay",
        )
        parser.add_argument(
            "--language",
            nargs="+",
            default=["vi"],
            choices=["vi", "en"],
            help="ngôn ngữ của trang được xem (mặc định vi)",
        )

    def handle(
        self,
        *args: Any,
        plan: list[int] | None,
        as_of: str | None,
        language: list[str],
        **options: Any,
    ) -> None:
        day = day_of_command(as_of)
        plans = Plan.objects.select_related("structure", "issuing_unit").filter(
            structure__roll_up_by_part=True
        )
        if plan:
            plans = plans.filter(pk__in=plan)
            missing = sorted(set(plan) - set(plans.values_list("pk", flat=True)))
            if missing:
                raise CommandError(
                    f"Không có kế hoạch mã {', '.join(map(str, missing))} trên cơ cấu nhiều tỉnh."
                )
        else:
            plans = plans.filter(state=PlanState.ISSUED)
        for target in plans.order_by("pk"):
            # Only the top of a structure is put together from its provinces' parts.
            tops = Unit.objects.filter(structure_id=target.structure_id, parent__isnull=True)
            for top, code in itertools.product(tops.order_by("pk"), language):
                started = time.perf_counter()
                with translation.override(code):
                    progress = queries.plan_progress(target, top, EVERYTHING, day)
                self.stdout.write(
                    f"kế hoạch {target.pk} ({code}), ngày {day:%d/%m/%Y}: "
                    f"{len(progress.rows):,} đơn vị, "
                    f"{(time.perf_counter() - started) * 1000:,.0f} ms"
                )
