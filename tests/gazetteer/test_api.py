"""The gazetteer API at /api/v1/gazetteer/: search, look-up, entries, indicators, figures, and the
editors' writes.

Data: the figures of ``test_figures.build_figures`` and three published entries (Sông Lam,
Thành phố Vinh, and an entry whose Markdown tries <script>, ``javascript:`` links, ``onerror=``
and an iframe), frozen by the latest edition.

Who may do what: reads are public (the anonymous citizen, no token). Writes are for the
``editor`` and the ``province_office``; any other signed-in user — the officer of Vinh, the
officer of Nghi Lộc, the Board member — gets 404, as for an object out of scope; the anonymous
caller gets 401 (sign in first), as everywhere in the API.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.gazetteer.test_figures import Figures, build_figures
from tinhuy.accounts.actions import do_create_api_token
from tinhuy.gazetteer.actions import EntrySpec, SourceSpec, do_save_entry, do_set_entry_state
from tinhuy.gazetteer.models import Chapter, Entry, EntryRevision, EntryState, Observation, Place

# These tests build their own figures and entries: start from a gazetteer without the demo.
pytestmark = pytest.mark.usefixtures("empty_gazetteer")

API = "/api/v1/gazetteer"
HOSTILE = """# Bài thử

<script>alert(1)</script>

[bấm vào đây](javascript:alert(1)) và <img src=x onerror=alert(1)>

<iframe src="https://example.com"></iframe>

Nội dung **thật**.
"""


def _publish_entry(spec: EntrySpec, user: object) -> Entry:
    """Written and reviewed by ``user``, approved by a second person (the province office)."""
    entry = do_save_entry(spec, acting_user=user)
    do_set_entry_state(entry, EntryState.REVIEWED, acting_user=user)
    approver = get_user_model().objects.get(username="vanphong")
    return do_set_entry_state(entry, EntryState.PUBLISHED, acting_user=approver)


@pytest.fixture
def data(personas) -> Figures:  # type: ignore[no-untyped-def]
    editor = personas.editor
    from tinhuy.gazetteer.actions import do_load_places

    do_load_places(acting_user=None)
    geography, _created = Chapter.objects.get_or_create(
        slug="dia-ly", parent=None, defaults={"title": "Địa lý", "order": 1}
    )
    vinh, province = Place.objects.get(code="412"), Place.objects.get(code="40")
    source = SourceSpec(
        title="Địa chí Nghệ An", author="Ninh Viết Giao", year="2005", url="https://example.vn/"
    )
    _publish_entry(
        EntrySpec("song-lam", "Sông Lam", "place", geography,
                  "Sông Lam chảy qua Đô Lương và Vinh rồi đổ ra biển ở Cửa Hội.",
                  (vinh, province), "hiện đại", (source,)),
        editor,
    )  # fmt: skip
    _publish_entry(
        EntrySpec("thanh-pho-vinh", "Thành phố Vinh", "place", geography,
                  "Vinh là thành phố tỉnh lỵ của tỉnh Nghệ An.", (vinh,)),
        editor,
    )  # fmt: skip
    _publish_entry(EntrySpec("bai-thu", "Bài thử", "topic", geography, HOSTILE), editor)
    # A draft: never in an edition, so never public.
    do_save_entry(
        EntrySpec("ban-nhap", "Bản nháp", "topic", geography, "Chưa duyệt."), acting_user=editor
    )
    return build_figures(editor)


def bearer(user) -> Client:  # type: ignore[no-untyped-def]
    """A script's client: a bearer token, CSRF checks on (a token needs none)."""
    _, secret = do_create_api_token(user, name="test", acting_user=None)
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")


def _json(client: Client, method: str, url: str, body: object):  # type: ignore[no-untyped-def]
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


# Search -----------------------------------------------------------------------------------------


def test_search_finds_entries_without_marks_with_slug_snippet_url_and_score(data, client):
    response = client.get(f"{API}/search", {"q": "song lam"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= 1
    hit = next(item for item in body["items"] if item["slug"] == "song-lam")
    assert hit["title"] == "Sông Lam" and hit["kind"] == "place"
    assert "<mark>" in hit["snippet"]
    assert hit["url"] == f"http://testserver/dia-chi/{data.latest.year}/muc/song-lam/"
    assert isinstance(hit["score"], float)
    assert not any(item["slug"] == "ban-nhap" for item in body["items"])


def test_search_filters_by_kind_place_and_chapter(data, client):
    assert client.get(f"{API}/search", {"q": "vinh", "kind": "topic"}).json()["count"] == 0
    by_place = client.get(f"{API}/search", {"q": "vinh", "place": "412"}).json()
    assert {item["slug"] for item in by_place["items"]} == {"song-lam", "thanh-pho-vinh"}
    by_chapter = client.get(f"{API}/search", {"q": "vinh", "chapter": "dia-ly"}).json()
    assert by_chapter["count"] == 2
    assert client.get(f"{API}/search", {"q": "vinh", "chapter": "lich-su"}).json()["count"] == 0


def test_search_pages(data, client):
    first = client.get(f"{API}/search", {"q": "vinh", "page_size": 1}).json()
    second = client.get(f"{API}/search", {"q": "vinh", "page_size": 1, "page": 2}).json()
    assert first["count"] == second["count"] == 2
    assert first["items"][0]["slug"] != second["items"][0]["slug"]
    assert client.get(f"{API}/search", {"q": "vinh", "page": 99}).json()["items"] == []


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"song',
        "*",
        "ngh*",
        "a" * 10_000,
        "😀",
        "song 😀 lam",
        "NEAR(song lam)",
        "title: song",
        "' OR 1=1 --",
        "\x00",
        "(",
        "-",
        "^",
        "AND OR NOT",
        "",
    ],
)
def test_search_never_fails_on_junk(data, client, q):
    """Quotes, asterisks, FTS syntax, 10,000 characters, emoji, NUL: results or none."""
    response = client.get(f"{API}/search", {"q": q, "kind": q[:50], "place": q[:50]})
    if "\x00" in q:  # refused for every route by tinhuy.middleware, never a 500
        assert response.status_code == 400
        return
    assert response.status_code == 200
    assert isinstance(response.json()["items"], list)


def test_search_refuses_unknown_parameters_and_bad_pages(data, client):
    assert client.get(f"{API}/search", {"q": "vinh", "sort": "title"}).status_code == 400
    assert client.get(f"{API}/search", {"q": "vinh", "page": 0}).status_code == 422
    assert client.get(f"{API}/search", {"q": "vinh", "page": "x"}).status_code == 422


def test_search_runs_two_queries(data, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get(f"{API}/search", {"q": "vinh"}).status_code == 200


# Look-up ----------------------------------------------------------------------------------------


def test_lookup_answers_with_the_figure(data, client):
    response = client.get(f"{API}/lookup", {"q": "dân số Nghi Lộc 2019"})
    assert response.status_code == 200
    body = response.json()
    assert body["value"] == 225000.5 and body["value_display"] == "225.000,5"
    assert (body["unit"], body["year"], body["place_code"]) == ("người", 2019, "429")
    assert body["source"] == "Niên giám thống kê tỉnh Nghệ An 2020"
    assert body["is_sample"] is False
    assert body["edition_year"] == data.latest.year
    assert body["series_url"] == (f"http://testserver/dia-chi/{data.latest.year}/chi-tieu/dan-so/")
    assert body["edition_title"] == data.latest.title
    assert (body["year_given"], body["other_years"], body["other_indicators"]) == (True, "", "")
    assert body["ignored"] == ""


def test_lookup_says_what_the_page_says_of_the_question(data, client):
    """The page's notes on the question (no year, several years or indicators, words read
    past) are in the API's answer too."""
    body = client.get(f"{API}/lookup", {"q": "dân số Nghi Lộc"}).json()
    assert (body["year"], body["year_given"]) == (2020, False)  # the latest with the figure
    body = client.get(f"{API}/lookup", {"q": "dân số thành thị Nghi Lộc 2019"}).json()
    assert (body["year_given"], body["ignored"]) == (True, "thành thị")


def test_lookup_without_an_answer_is_404_with_suggestions(data, client):
    response = client.get(f"{API}/lookup", {"q": "dan so vinh 1990"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and "1990" in body["detail"]
    suggestions = body["suggestions"]
    assert suggestions["indicators"][0]["code"] == "dan-so"
    assert suggestions["places"][0]["code"] == "412"
    assert suggestions["years"] == [2019]
    assert suggestions["places"][0]["url"].startswith("http://testserver/dia-chi/")


def test_lookup_documents_its_404_as_the_problem_document_it_serves():
    """The 404 with suggestions is served as application/problem+json, and documented so (the
    document said application/json), with its suggestions."""
    from tinhuy.api import api

    answers = api.get_openapi_schema()["paths"]["/api/v1/gazetteer/lookup"]["get"]["responses"]
    assert list(answers[404]["content"]) == ["application/problem+json"]
    schema = answers[404]["content"]["application/problem+json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/LookupNotFoundOut"}
    assert sorted(answers) == [200, 400, 404, 422]  # public: no 401


@pytest.mark.parametrize("q", ["", '"', "*", "😀", "a" * 10_000, "\x00"])
def test_lookup_never_fails_on_junk(data, client, q):
    assert client.get(f"{API}/lookup", {"q": q}).status_code == (400 if "\x00" in q else 404)


def test_lookup_runs_a_fixed_number_of_queries(data, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert client.get(f"{API}/lookup", {"q": "dien tich vinh"}).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(f"{API}/lookup", {"q": "dan so ha noi"}).status_code == 404


# Entries ----------------------------------------------------------------------------------------


def test_an_entry_by_slug_is_the_latest_editions_text(data, client):
    response = client.get(f"{API}/entries/song-lam")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Sông Lam" and body["kind"] == "place"
    assert (body["chapter"], body["chapter_title"], body["period"]) == (
        "dia-ly",
        "Địa lý",
        "hiện đại",
    )
    assert {p["code"] for p in body["places"]} == {"412", "40"}
    assert "<p>Sông Lam chảy qua" in body["body_html"]
    assert body["sources"][0]["author"] == "Ninh Viết Giao"
    assert body["edition_year"] == data.latest.year
    assert body["url"] == f"http://testserver/dia-chi/{data.latest.year}/muc/song-lam/"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, attrs))


def test_an_entrys_html_is_sanitised(data, client):
    """No script, iframe or image tag, no event handler, no javascript: link: what was HTML in
    the Markdown shows as text."""
    html = client.get(f"{API}/entries/bai-thu").json()["body_html"]
    assert "<strong>thật</strong>" in html
    parser = _Tags()
    parser.feed(html)
    assert not {tag for tag, _attrs in parser.tags} & {"script", "iframe", "img"}
    attributes = [(name, value or "") for _tag, attrs in parser.tags for name, value in attrs]
    assert not [name for name, _value in attributes if name.startswith("on")]
    assert not [v for name, v in attributes if name == "href" and "javascript" in v.lower()]


@pytest.mark.parametrize("slug", ["ban-nhap", "khong-co", "a" * 151])
def test_an_entry_not_in_the_edition_is_404_or_422(data, client, slug):
    """A draft and an unknown slug are 404; a slug too long for any entry is refused (422)."""
    response = client.get(f"{API}/entries/{slug}")
    assert response.status_code == (422 if len(slug) > 150 else 404)


def test_an_entry_runs_a_fixed_number_of_queries(data, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert client.get(f"{API}/entries/song-lam").status_code == 200


# Indicators and figures -------------------------------------------------------------------------


def test_indicators_are_those_of_the_latest_edition(data, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(f"{API}/indicators/")
    body = response.json()
    codes = [item["code"] for item in body["items"]]
    assert "dan-so" in codes and "dien-tich" in codes and "mat-do-dan-so" not in codes
    population = next(item for item in body["items"] if item["code"] == "dan-so")
    assert population["unit"] == "người"
    assert population["url"].endswith(f"/dia-chi/{data.latest.year}/chi-tieu/dan-so/")


def test_observations_filter_by_place_and_year(data, client, django_assert_max_num_queries):
    url = f"{API}/indicators/dan-so/observations"
    with django_assert_max_num_queries(5):
        everything = client.get(url).json()
    assert everything["count"] == 6
    vinh = client.get(url, {"place": "412"}).json()["items"]
    assert [(o["year"], o["value"], o["is_sample"]) for o in vinh] == [(2019, 339114.0, True)]
    in_2020 = client.get(url, {"year": 2020}).json()["items"]
    assert {(o["place_code"], o["value_display"]) for o in in_2020} == {
        ("429", "226.100"),
        ("40", "3.365.200"),
    }


def test_observations_refuse_bad_filters_and_unknown_indicators(data, client):
    url = f"{API}/indicators/dan-so/observations"
    assert client.get(url, {"year": 20199}).status_code == 422
    assert client.get(url, {"colour": "red"}).status_code == 400
    assert client.get(f"{API}/indicators/khong-co/observations").status_code == 404
    assert client.get(f"{API}/indicators/mat-do-dan-so/observations").status_code == 404


# Editors' writes --------------------------------------------------------------------------------

ENTRY = {
    "title": "Núi Quyết",
    "kind": "place",
    "chapter": "dia-ly",
    "body": "Núi Quyết ở Vinh, bên bờ **sông Lam**.",
    "places": ["Vinh", "40"],
    "period": "hiện đại",
    "sources": [{"title": "Địa chí Nghệ An", "author": "Ninh Viết Giao", "year": "2005"}],
}


@pytest.mark.parametrize("who", ["vinh_officer", "nghiloc_officer", "board_member"])
def test_editor_endpoints_are_404_for_other_signed_in_users(data, client_for, personas, who):
    """Nothing is written, and nothing says the entry exists."""
    client = client_for(getattr(personas, who))
    revisions = EntryRevision.objects.count()
    observations = Observation.objects.count()
    assert _json(client, "put", f"{API}/entries/nui-quyet", ENTRY).status_code == 404
    assert _json(client, "put", f"{API}/entries/song-lam", ENTRY).status_code == 404
    state = {"state": "draft"}
    assert _json(client, "post", f"{API}/entries/song-lam/state", state).status_code == 404
    figure = [{"indicator_code": "dan-so", "place": "412", "year": 2021, "value": 1}]
    assert _json(client, "post", f"{API}/observations", figure).status_code == 404
    assert EntryRevision.objects.count() == revisions
    assert Observation.objects.count() == observations


def test_editor_endpoints_ask_anonymous_callers_to_sign_in(data, client):
    assert _json(client, "put", f"{API}/entries/nui-quyet", ENTRY).status_code == 401
    figure = [{"indicator_code": "dan-so", "place": "412", "year": 2021, "value": 1}]
    assert _json(client, "post", f"{API}/observations", figure).status_code == 401


@pytest.mark.parametrize("who", ["editor", "province_office"])
def test_an_editor_creates_then_updates_an_entry(data, client_for, personas, who):
    client = client_for(getattr(personas, who))
    response = _json(client, "put", f"{API}/entries/nui-quyet", ENTRY)
    assert response.status_code == 201
    body = response.json()
    assert (body["slug"], body["state"], body["revision"]) == ("nui-quyet", "draft", 1)
    assert {p["code"] for p in body["places"]} == {"412", "40"}
    assert body["sources"][0]["author"] == "Ninh Viết Giao"
    response = _json(
        client, "put", f"{API}/entries/nui-quyet", {**ENTRY, "title": "Núi Dũng Quyết"}
    )
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["revision"]) == ("Núi Dũng Quyết", 2)


def test_an_editor_moves_an_entry_through_its_states(data, personas):
    client = bearer(personas.editor)
    _json(client, "put", f"{API}/entries/nui-quyet", ENTRY)
    url = f"{API}/entries/nui-quyet/state"
    response = _json(client, "post", url, {"state": "published"})  # not straight from draft
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert _json(client, "post", url, {"state": "reviewed"}).json()["state"] == "reviewed"
    approver = bearer(personas.province_office)  # a second person approves
    assert _json(approver, "post", url, {"state": "published"}).json()["state"] == "published"
    assert _json(client, "post", url, {"state": "archived"}).status_code == 422
    assert (
        _json(client, "post", f"{API}/entries/khong-co/state", {"state": "reviewed"}).status_code
        == 404
    )


@pytest.mark.parametrize(
    "change,loc,words",
    [
        ({"chapter": "khong-co"}, ["body", "payload", "chapter"], "Không có chương"),
        ({"places": ["Vinh", "Hà Nội"]}, ["body", "payload", "places", "1"], "không có địa danh"),
        ({"places": ["Nghi Lộc"]}, ["body", "payload", "places", "0"], "nhiều địa danh"),
    ],
)
def test_an_entry_naming_unknown_things_is_422_and_not_saved(
    data, client_for, personas, change, loc, words
):
    response = _json(
        client_for(personas.editor), "put", f"{API}/entries/nui-quyet", {**ENTRY, **change}
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["loc"] == loc and words in error["msg"]
    assert not Entry.objects.filter(slug="nui-quyet").exists()


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "city"},
        {"title": ""},
        {"sources": [{"title": "X", "url": "javascript:alert(1)"}]},
        {"body": "a\x00b"},
    ],
)
def test_an_entry_of_the_wrong_shape_is_422(data, client_for, personas, change):
    response = _json(
        client_for(personas.editor), "put", f"{API}/entries/nui-quyet", {**ENTRY, **change}
    )
    assert response.status_code == 422


def test_an_editor_saves_figures_added_and_revised(data, personas):
    client = bearer(personas.editor)
    figures = [
        {
            "indicator_code": "dan-so",
            "place": "Huyện Nghi Lộc",
            "year": 2021,
            "value": 227300,
            "source": "NG 2021",
        },
        {
            "indicator_code": "dan-so",
            "place": "412",
            "year": 2019,
            "value": "339.200,5",
            "is_sample": True,
        },
        {
            "indicator_code": "dien-tich",
            "place": "Tỉnh Nghệ An",
            "year": 2020,
            "value": "16493.7",
            "source": "NG",
        },
    ]
    response = _json(client, "post", f"{API}/observations", figures)
    assert response.status_code == 201
    assert response.json() == {"added": 2, "revised": 1}
    assert (
        str(
            Observation.objects.get(
                place__code="412", year=2019, indicator__code="dan-so"
            ).value.normalize()
        )
        == "339200.5"
    )


def test_the_province_office_saves_figures_too(data, client_for, personas):
    figure = [
        {"indicator_code": "dan-so", "place": "412", "year": 2021, "value": 1.5, "source": "N"}
    ]
    response = _json(client_for(personas.province_office), "post", f"{API}/observations", figure)
    assert response.status_code == 201 and response.json() == {"added": 1, "revised": 0}


def test_bad_figures_are_422_each_with_its_position_and_nothing_is_written(data, personas):
    before = Observation.objects.count()
    figures = [
        {"indicator_code": "dan-so", "place": "412", "year": 2021, "value": 1, "source": "N"},
        {"indicator_code": "khong-co", "place": "412", "year": 2021, "value": 1},
        {"indicator_code": "dan-so", "place": "Nghi Lộc", "year": 20199, "value": "1.234"},
        {"indicator_code": "dan-so", "place": "412", "year": 2021, "value": 2},
    ]
    response = _json(bearer(personas.editor), "post", f"{API}/observations", figures)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["loc"] for e in errors] == [
        ["body", "payload", "1", "indicator_code"],
        ["body", "payload", "2", "place"],
        ["body", "payload", "2", "year"],
        ["body", "payload", "2", "value"],
        ["body", "payload", "3", "year"],  # the same figure as the first
    ]
    assert errors[0]["msg"].startswith("Số liệu thứ 2 ([1].indicator_code): ")
    assert "từ 1800 đến 2100" in errors[2]["msg"]
    assert "không rõ nghĩa" in errors[3]["msg"]
    assert "trùng với dòng 1" in errors[4]["msg"]
    assert Observation.objects.count() == before


def test_figures_of_the_wrong_shape_are_422(data, personas):
    client = bearer(personas.editor)
    assert _json(client, "post", f"{API}/observations", {"value": 1}).status_code == 422
    assert _json(client, "post", f"{API}/observations", [{"place": "412"}]).status_code == 422


def test_writes_run_a_bounded_number_of_queries(data, personas, django_assert_max_num_queries):
    client = bearer(personas.editor)
    figures = [
        {"indicator_code": "dan-so", "place": "412", "year": year, "value": year, "source": "N"}
        for year in range(1900, 2000)
    ]
    with django_assert_max_num_queries(20):
        assert _json(client, "post", f"{API}/observations", figures).status_code == 201
    with django_assert_max_num_queries(40):
        assert _json(client, "put", f"{API}/entries/nui-quyet", ENTRY).status_code == 201
