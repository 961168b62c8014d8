"""Vietnamese full-text search, on whichever engine the suite runs (SQLite FTS5 or PostgreSQL)."""

import unicodedata

import pytest

from tinhuy.search.backends import (
    Document,
    Filters,
    Query,
    index_documents,
    remove_documents,
    search,
)
from tinhuy.search.models import SearchDocument


@pytest.fixture
def docs(db) -> None:
    """Only these documents in the index (the demo's gazetteer entries are removed, rolled back
    after the test)."""
    SearchDocument.objects.all().delete()
    index_documents([
        Document("entry:nghe-an", "place", "Tỉnh Nghệ An", "Nghệ An là tỉnh lớn nhất Việt Nam về diện tích, "
                 "thuộc vùng Bắc Trung Bộ.", "/dia-chi/muc/nghe-an/", "dia-ly", ("40",), "hiện đại"),
        Document("entry:nghi-loc", "place", "Huyện Nghi Lộc", "Nghi Lộc là huyện ven biển.",
                 "/dia-chi/muc/nghi-loc/", "dia-ly", ("429",)),
        Document("entry:do-luong", "place", "Huyện Đô Lương", "Đô Lương nằm bên sông Lam.",
                 "/dia-chi/muc/do-luong/", "dia-ly", ("427",)),
        Document("entry:vinh", "place", "Thành phố Vinh", "Vinh là thành phố tỉnh lỵ của Nghệ An.",
                 "/dia-chi/muc/vinh/", "dia-ly", ("412",)),
        Document("entry:vinh-bac-bo", "place", "Vịnh Bắc Bộ", "Vịnh Bắc Bộ là vùng biển phía đông của Nghệ An.",
                 "/dia-chi/muc/vinh-bac-bo/", "dia-ly/bien"),
        Document("entry:thai-hoa", "place", "Thị xã Thái Hòa", "Thái Hoà có nhiều đồi cỏ.",
                 "/dia-chi/muc/thai-hoa/", "dia-ly", (), "hiện đại"),
        Document("entry:thuy", "topic", "Thủy lợi", "Hệ thống thuỷ lợi Bắc Nghệ An.", "/dia-chi/muc/thuy-loi/",
                 "kinh-te"),
    ])  # fmt: skip


def keys(text: str, **filters: str) -> list[str]:
    hits, total = search(text, filters=Filters(**filters), limit=20)
    assert total == len(hits)
    return [h.key for h in hits]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("nghe an", "entry:nghe-an"),
        ("Nghệ An", "entry:nghe-an"),
        (unicodedata.normalize("NFD", "Nghệ An"), "entry:nghe-an"),
        ("NGHỆ AN", "entry:nghe-an"),
        ("do luong", "entry:do-luong"),
        ("đô lương", "entry:do-luong"),
        ("thai hoa", "entry:thai-hoa"),
        ("Thái Hoà", "entry:thai-hoa"),
        ("thuy", "entry:thuy"),
        ("thuỷ lợi", "entry:thuy"),
    ],
)
def test_every_variant_finds_the_entry(docs, typed, found) -> None:
    assert found in keys(typed)


def test_a_prefix_finds_every_word_that_starts_with_it(docs) -> None:
    found = keys("ngh")
    assert "entry:nghe-an" in found and "entry:nghi-loc" in found


def test_exact_diacritics_rank_first(docs) -> None:
    assert keys("Vịnh")[0] == "entry:vinh-bac-bo"
    assert keys("vinh")[0] == "entry:vinh"


def test_filters_narrow_the_results(docs) -> None:
    assert keys("nghe an", kind="topic") == ["entry:thuy"]
    assert "entry:vinh-bac-bo" in keys("nghe an", chapter="dia-ly")
    assert keys("nghe an", chapter="dia-ly/bien") == ["entry:vinh-bac-bo"]
    assert keys("nghi", place="429") == ["entry:nghi-loc"]
    assert keys("thai", period="hiện đại") == ["entry:thai-hoa"]


def test_snippets_highlight_the_match_and_escape_the_text(docs) -> None:
    hits, _ = search("do luong")
    assert "<mark>Đô</mark> <mark>Lương</mark>" in hits[0].snippet


@pytest.mark.parametrize(
    "typed",
    ['"', "'", "*", "nghe*", '"nghe an', "AND OR NOT", "NEAR(a b)", "title_exact:x", "a:b:c", "-", "^x",
     "x" * 10_000, "🙂🙂", "nghệ 🙂 an", "", "   ", "%", "_", "\\", "'; DROP TABLE x; --", "\x00"],
)  # fmt: skip
def test_search_never_errors(docs, typed) -> None:
    hits, total = search(typed)
    assert total >= 0 and len(hits) <= total


def test_query_keeps_words_only() -> None:
    assert Query.parse('"Nghệ" AND an*').folded == ("nghe", "and", "an")


def test_removed_documents_are_not_found(docs) -> None:
    remove_documents(["entry:nghi-loc"])
    assert "entry:nghi-loc" not in keys("nghi loc")


def test_reindexing_replaces_a_document(docs) -> None:
    index_documents([Document("entry:nghi-loc", "place", "Huyện Nghi Lộc", "Cửa Hội", "/x/")])
    assert keys("cua hoi") == ["entry:nghi-loc"]
    assert keys("ven bien") == []
