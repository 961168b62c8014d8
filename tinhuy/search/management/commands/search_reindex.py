"""``tinhuy search-reindex``: rebuild the tantivy index from the database."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tinhuy.search.backends import rebuild_index, uses_tantivy


class Command(BaseCommand):
    help = "Dựng lại chỉ mục tìm kiếm tantivy từ cơ sở dữ liệu (TINHUY_SEARCH_ENGINE=tantivy)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not uses_tantivy():
            self.stdout.write(
                "Máy tìm kiếm là cơ sở dữ liệu (TINHUY_SEARCH_ENGINE=database): chỉ mục luôn "
                "đi cùng dữ liệu, không cần dựng lại."
            )
            return
        count = rebuild_index()
        self.stdout.write(
            f"Đã dựng lại chỉ mục tại {settings.TINHUY_SEARCH_INDEX_DIR}: {count} mục."
        )
