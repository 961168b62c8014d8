"""The public search page when nothing is found: "Có phải bạn muốn tìm…" with the corrected
query (spelled from the indexed titles) and the places spelled alike, on the demo gazetteer.

Public: the anonymous citizen searches; no login.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tinhuy.gazetteer.queries import close_places


def _page(q: str, **params: str) -> tuple[str, Any]:
    response = Client().get(reverse("gazetteer_search"), {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode(), response.context


def test_a_misspelt_search_offers_the_right_spelling(db):
    html, context = _page("phan boi chao")
    assert context["total"] == 0
    assert context["did_you_mean"].query == "Phan Bội Châu"
    assert 'id="gz-did-you-mean"' in html
    assert "Có phải bạn muốn tìm:" in html
    assert "?q=Phan+B%E1%BB%99i+Ch%C3%A2u" in html  # the link searches the corrected words
    assert reverse("gazetteer_entry", args=[context["edition"].year, "phan-boi-chau"]) in html


def test_the_suggestion_link_keeps_the_filters(db):
    _html, context = _page("do luongg", loai="place")
    assert context["did_you_mean"] is not None
    assert "loai=place" in context["did_you_mean_href"]
    assert "q=%C4%90%C3%B4+L%C6%B0%C6%A1ng" in context["did_you_mean_href"]


def test_places_spelled_alike_are_offered(db):
    html, context = _page("nghi lok")
    names = [p.full_name for p in context["close_places"]]
    assert {"Huyện Nghi Lộc", "Xã Nghi Lộc"} <= set(names)
    year = context["edition"].year
    assert reverse("gazetteer_place", args=[year, "429"]) in html


def test_a_search_with_results_or_nothing_close_offers_nothing(db):
    html, context = _page("Nghệ An")
    assert context["total"] > 0 and context["did_you_mean"] is None
    assert 'id="gz-did-you-mean"' not in html
    html, context = _page("xyzxyzq")
    assert context["did_you_mean"] is None and context["close_places"] == []
    assert 'id="gz-did-you-mean"' not in html
    assert "Không tìm thấy mục từ nào" in html


@pytest.mark.parametrize(
    "typed,code",
    [("quynh luuu", "421"), ("huyện Đô Luơng", "427"), ("thanh pho vinhh", "412")],
)
def test_close_places_read_past_the_kind_word(db, typed, code):
    assert code in [p.code for p in close_places(typed)]


def test_close_places_of_nothing_much(db):
    assert close_places("") == []
    assert close_places("xa") == []
    assert close_places("zzzzzzzz") == []


def test_a_search_without_results_runs_a_handful_of_queries(db, django_assert_max_num_queries):
    _page("phan boi chao")  # the vocabulary, read once
    with django_assert_max_num_queries(10):
        _page("do luongg")
