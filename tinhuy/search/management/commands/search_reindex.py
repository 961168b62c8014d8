"""``tinhuy search-reindex``: rebuild the tantivy index from the database."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tinhuy.documents.numbers import format_number
from tinhuy.progress import command_reporter
from tinhuy.search.backends import rebuild_index, uses_tantivy


class Command(BaseCommand):
    help = (
        "Dựng lại chỉ mục tìm kiếm tantivy từ cơ sở dữ liệu (TINHUY_SEARCH_ENGINE=tantivy), "
        "hiện tiến độ; --verbosity 0 để không in gì."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["verbosity"] < 1
        if not uses_tantivy():
            if not quiet:
                self.stdout.write(
                    "Máy tìm kiếm là cơ sở dữ liệu (TINHUY_SEARCH_ENGINE=database): chỉ mục luôn "
                    "đi cùng dữ liệu, không cần dựng lại."
                )
            return
        with command_reporter(self, options, "Dựng lại chỉ mục", unit="mục") as progress:
            count = rebuild_index(progress=progress)
        if not quiet:
            self.stdout.write(
                f"Đã dựng lại chỉ mục tại {settings.TINHUY_SEARCH_INDEX_DIR}: "
                f"{format_number(count)} mục."
            )
