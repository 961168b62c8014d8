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


@pytest.fixture(autouse=True)
def engine(search_engine: str) -> str:
    """Every test here on the database engine of the run and on tantivy."""
    return search_engine


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


def test_a_page_deep_in_the_results_comes_in_rank_order_with_and_without_filters(docs) -> None:
    """The page is ranked on ids alone, then its rows fetched: the same order either way."""
    everything, total = search("nghe an", limit=10)
    assert total == len(everything) >= 3
    second, _ = search("nghe an", limit=1, offset=1)
    assert [h.key for h in second] == [everything[1].key]
    filtered, n = search("nghe an", filters=Filters(chapter="dia-ly"), limit=10)
    assert n == len(filtered) and [h.key for h in filtered] == [
        h.key for h in everything if h.key != "entry:thuy"
    ]


def test_matches_are_counted_up_to_the_limit(db) -> None:
    """A common word matches everything: the count stops at COUNT_LIMIT + 1 ("more than"),
    the hits keep coming page after page."""
    from tinhuy.search.backends import COUNT_LIMIT

    SearchDocument.objects.all().delete()
    index_documents(
        Document(f"entry:x{i}", "topic", f"Xã số {i}", "Làng quê Nghệ An.", f"/x/{i}/")
        for i in range(COUNT_LIMIT + 5)
    )

    hits, total = search("lang que", limit=10)
    assert (len(hits), total) == (10, COUNT_LIMIT + 1)
    last, total = search("lang que", limit=10, offset=COUNT_LIMIT)
    assert (len(last), total) == (5, COUNT_LIMIT + 1)
    few, total = search("xa so 1000", limit=10)
    assert total == len(few) >= 1  # below the limit the count is exact
    from django.test import Client

    page = Client().get("/dia-chi/tim-kiem/", {"q": "lang que"}).content.decode()
    assert "Tìm thấy hơn 1.000 mục từ" in page
    api = Client().get("/api/v1/gazetteer/search", {"q": "lang que"}).json()
    assert api["count"] == COUNT_LIMIT + 1


def test_snippet_positions_survive_decomposed_text(docs) -> None:
    """The highlight is found on the folded text, character for character, so decomposed (NFD)
    text and đ are marked at the right place."""
    from tinhuy.search.backends import snippet
    from tinhuy.search.text import fold, fold_chars

    text = unicodedata.normalize("NFD", "Huyện Đô Lương") + " bên sông Lam"
    assert fold_chars(text) == "".join((fold(ch) or " ")[0] for ch in text)
    marked = snippet(text, Query.parse("do luong"))
    assert "<mark>" in marked and "sông Lam" in marked


@pytest.mark.parametrize("search_engine", ["tantivy"], indirect=True)
def test_the_index_follows_only_what_is_committed(
    docs, engine, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """A rolled-back change never reaches tantivy; a committed one is found at once."""
    from django.db import transaction

    monkeypatch.undo()  # the real on_commit: callbacks wait for the (captured) commit
    new = Document("entry:song-ca", "place", "Sông Cả", "Sông Cả chảy qua Nghệ An.", "/s/")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                index_documents([new])
                raise RuntimeError("the editor's save fails")
        except RuntimeError:
            pass
    assert callbacks == []
    assert keys("song ca") == []

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        index_documents([new])
    assert len(callbacks) == 1
    assert keys("song ca") == ["entry:song-ca"]

    with django_capture_on_commit_callbacks(execute=True):
        remove_documents(["entry:song-ca"])
    assert keys("song ca") == []


@pytest.mark.parametrize("search_engine", ["tantivy"], indirect=True)
def test_a_missing_index_is_rebuilt_from_the_database(docs, engine, settings) -> None:
    import shutil

    from tinhuy.search import tantivy_engine
    from tinhuy.search.backends import rebuild_index

    assert keys("do luong") == ["entry:do-luong"]
    tantivy_engine.reset()
    shutil.rmtree(settings.TINHUY_SEARCH_INDEX_DIR)
    assert keys("do luong") == ["entry:do-luong"]  # opened again: built from the rows
    assert rebuild_index() == SearchDocument.objects.count() == 7


@pytest.mark.parametrize("search_engine", ["tantivy"], indirect=True)
def test_a_commit_by_another_process_is_seen_and_no_commit_reloads_nothing(
    docs, engine, settings, monkeypatch
) -> None:
    """The reader reloads when meta.json changed (another process committed), not on every
    search."""
    import os
    from pathlib import Path

    from tinhuy.search import tantivy_engine
    from tinhuy.search.backends import to_document_row

    ours = tantivy_engine.engine()
    meta = Path(settings.TINHUY_SEARCH_INDEX_DIR) / "meta.json"
    reloads: list[None] = []
    reload = tantivy_engine.Engine._reload

    def counted(self: tantivy_engine.Engine) -> None:
        reloads.append(None)
        reload(self)

    monkeypatch.setattr(tantivy_engine.Engine, "_reload", counted)
    old = meta.stat().st_mtime_ns - 10_000_000_000  # file times tick coarsely: no doubt here
    os.utime(meta, ns=(old, old))
    assert keys("do luong") == ["entry:do-luong"]
    assert len(reloads) == 1  # meta.json changed (its time) since the last reload
    assert keys("do luong") == ["entry:do-luong"]
    assert keys("nghi loc") == ["entry:nghi-loc"]
    assert len(reloads) == 1  # nothing committed since: no reload

    # Another process (another engine on the same directory) commits a document.
    to_document_row(Document("entry:song-ca", "place", "Sông Cả", "Sông Cả chảy.", "/s/")).save()
    other = tantivy_engine.Engine(Path(settings.TINHUY_SEARCH_INDEX_DIR))
    other.follow(["entry:song-ca"])
    older = old - 5_000_000_000  # aged too: only the change of the file tells
    os.utime(meta, ns=(older, older))
    assert keys("song ca") == ["entry:song-ca"]
    assert len(reloads) == 3  # the other engine's own reload, then ours
    assert ours is tantivy_engine.engine()
