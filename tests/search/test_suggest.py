"""“Có phải bạn muốn tìm…”: a search without results, spelled again from the indexed titles, on
whichever engine the suite runs and on tantivy."""

from __future__ import annotations

import pytest

from tinhuy.search.backends import Document, Filters, index_documents, search
from tinhuy.search.models import SearchDocument
from tinhuy.search.suggest import Vocabulary, corrected, did_you_mean, edit_distance


@pytest.fixture(autouse=True)
def engine(search_engine: str) -> str:
    return search_engine


@pytest.fixture
def docs(db) -> None:
    """Only these documents (the demo's entries are removed, rolled back after the test)."""
    SearchDocument.objects.all().delete()
    index_documents([
        Document("entry:nghe-an", "place", "Tỉnh Nghệ An", "Nghệ An là tỉnh lớn nhất.",
                 "/dia-chi/muc/nghe-an/", "dia-ly", ("40",)),
        Document("entry:do-luong", "place", "Huyện Đô Lương", "Đô Lương nằm bên sông Lam.",
                 "/dia-chi/muc/do-luong/", "dia-ly", ("427",)),
        Document("entry:phan-boi-chau", "person", "Phan Bội Châu", "Nhà yêu nước, quê Nam Đàn.",
                 "/dia-chi/muc/phan-boi-chau/", "lich-su", ("430",)),
        Document("entry:song-lam", "place", "Sông Lam", "Sông Lam chảy qua Đô Lương.",
                 "/dia-chi/muc/song-lam/", "dia-ly"),
    ])  # fmt: skip


@pytest.mark.parametrize(
    "a,b,distance",
    [
        ("luong", "luong", 0),
        ("luongg", "luong", 1),
        ("lok", "loc", 1),
        ("lma", "lam", 1),  # neighbours swapped: one edit
        ("chao", "chau", 1),
        ("abc", "xyz", 3),
    ],
)
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b, 3) == distance


def test_edit_distance_stops_past_the_limit():
    assert edit_distance("abcdef", "uvwxyz", 1) == 2
    assert edit_distance("a", "abcd", 1) == 2


VOCABULARY = Vocabulary.of(
    ["Tỉnh Nghệ An", "Huyện Đô Lương", "Phan Bội Châu", "Sông Lam", "Sông Lam và sông Hiếu"]
)


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("phan boi chao", "Phan Bội Châu"),
        ("Phan Bội Chao", "Phan Bội Châu"),
        ("do luongg", "Đô Lương"),
        ("Nghệ Ann", "Nghệ An"),
        ("song lma", "Sông Lam"),  # the commoner way of writing it: "Sông", not "sông"
        ("nghe an", None),  # nothing to correct
        ("xyzxyz", None),  # nothing close
        ("phan boi xyzxyz", None),  # one word with nothing close: no suggestion at all
        ("", None),
    ],
)
def test_a_query_is_spelled_again_from_the_titles(typed, expected):
    assert corrected(typed, VOCABULARY) == expected


def test_short_words_are_left_as_typed():
    """ "an" and "ab" are one letter apart from too many words to guess."""
    assert VOCABULARY.closest("ab") is None
    assert VOCABULARY.closest("lok") is None  # no "loc" in these titles


def test_a_search_without_results_suggests_what_finds_something(docs):
    assert search("phan boi chao")[1] == 0
    found = did_you_mean("phan boi chao")
    assert found is not None
    assert found.query == "Phan Bội Châu"
    assert [h.key for h in found.hits] == ["entry:phan-boi-chau"]
    assert found.total == 1


def test_the_suggestion_keeps_the_filters(docs):
    """ "do luongg" in the history chapter: Đô Lương has no entry there, so nothing is offered."""
    assert did_you_mean("do luongg", filters=Filters(chapter="dia-ly")) is not None
    assert did_you_mean("do luongg", filters=Filters(chapter="lich-su")) is None


def test_nothing_close_suggests_nothing(docs):
    assert did_you_mean("xyzxyz") is None
    assert did_you_mean("") is None
    assert did_you_mean("😀 *") is None


def test_a_new_title_is_known_at_once(docs):
    assert did_you_mean("song hieuu") is None
    index_documents(
        [Document("entry:song-hieu", "place", "Sông Hiếu", "Sông Hiếu.", "/dia-chi/muc/song-hieu/")]
    )
    found = did_you_mean("song hieuu")
    assert found is not None and found.query == "Sông Hiếu"


def test_the_vocabulary_is_read_once(docs, django_assert_max_num_queries):
    """Once read, a suggestion costs the index's state and the corrected search only."""
    did_you_mean("phan boi chao")
    with django_assert_max_num_queries(3):
        assert did_you_mean("do luongg") is not None
