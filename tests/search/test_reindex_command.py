"""``tinhuy search-reindex``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tinhuy.search.models import SearchDocument


@pytest.mark.django_db
def test_the_command_rebuilds_the_tantivy_index_or_says_there_is_nothing_to_do(
    search_engine: str,
) -> None:
    out = io.StringIO()
    call_command("search_reindex", stdout=out)
    if search_engine == "tantivy":
        assert f"{SearchDocument.objects.count()} mục" in out.getvalue()
    else:
        assert "không cần dựng lại" in out.getvalue()
