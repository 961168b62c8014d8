"""The public site of the gazetteer: every page open to the anonymous citizen, safe entry
pages, Vietnamese search, the sitemap, and a fixed number of queries per page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch

from tinhuy.gazetteer.actions import (
    EntrySpec,
    ObservationSpec,
    do_save_entry,
    do_save_observations,
)
from tinhuy.gazetteer.views import public
from tinhuy.search.backends import Filters, search
from tinhuy.search.models import SearchDocument

from .conftest import VINH_2025_TEXT, publish_edition, publish_entry

PAGES = [
    "/dia-chi/",
    "/dia-chi/2025/",
    "/dia-chi/2024/",
    "/dia-chi/2025/chuong/dia-ly/",
    "/dia-chi/2025/chuong/dia-ly/bien/",
    "/dia-chi/2025/muc/thanh-pho-vinh/",
    "/dia-chi/2024/muc/thanh-pho-vinh/",
    "/dia-chi/2025/dia-danh/412/",
    "/dia-chi/2025/dia-danh/40/",
    "/dia-chi/tim-kiem/",
    "/dia-chi/tim-kiem/?q=nghe+an",
    "/dia-chi/an-ban/",
    "/dia-chi/2025/thay-doi/",
    "/dia-chi/2024/thay-doi/",
    "/dia-chi/sitemap.xml",
]


class Tags(HTMLParser):
    """Every start tag of a page with its attributes: what a browser would make live."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def meta(self, prop: str) -> str | None:
        for tag, attrs in self.tags:
            if tag == "meta" and attrs.get("property") == prop:
                return attrs.get("content")
        return None

    def links(self) -> list[str]:
        return [attrs["href"] for tag, attrs in self.tags if tag == "a" and "href" in attrs]


def page(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def result_titles(query: str) -> list[str]:
    hits, _ = search(query, limit=20)
    return [hit.title for hit in hits]


# --- Access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_every_page_opens_for_an_anonymous_citizen(gazetteer, url) -> None:
    """No page of the public site asks for a login."""
    assert Client().get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/dia-chi/2023/",
        "/dia-chi/99999999999999999999/",
        "/dia-chi/2025/muc/khong-co/",
        "/dia-chi/2023/muc/thanh-pho-vinh/",
        "/dia-chi/2024/muc/song-lam/",  # added only in 2025
        "/dia-chi/2025/chuong/khong-co/",
        "/dia-chi/2025/chuong/dia-ly/khong-co/",
        "/dia-chi/2025/dia-danh/99999/",
        "/dia-chi/2023/dia-danh/412/",
        "/dia-chi/2023/thay-doi/",
        "/dia-chi/muc/khong-co/",
    ],
)
def test_an_unknown_year_slug_chapter_or_place_is_not_found(gazetteer, url) -> None:
    """Unknown editions, entries, chapters and places answer 404, never an error."""
    assert Client().get(url).status_code == 404


def test_the_home_page_before_the_first_edition_says_so(empty_gazetteer) -> None:
    """Before anything is published the home page explains it instead of failing."""
    assert "Chưa có ấn bản nào" in page("/dia-chi/")


def test_pages_refuse_writes(gazetteer) -> None:
    """The public site only reads: POST is not allowed."""
    assert Client().post("/dia-chi/tim-kiem/", {"q": "vinh"}).status_code == 405


# --- Home, chapters -------------------------------------------------------------------------------


def test_the_home_page_shows_the_latest_edition_with_chapters_and_entries(gazetteer) -> None:
    """Home: the latest edition's title, intro, chapters, some entries, search, what changed."""
    html = page("/dia-chi/")
    assert "Địa chí Nghệ An, ấn bản 2025" in html
    assert "Ấn bản <strong>2025</strong>" in html  # the notes, rendered from Markdown
    links = Tags(html).links()
    assert "/dia-chi/2025/chuong/dia-ly/" in links
    assert "/dia-chi/2025/chuong/lich-su/" in links
    assert "/dia-chi/2025/muc/song-lam/" in links
    assert "/dia-chi/2025/thay-doi/" in links
    assert 'action="/dia-chi/tim-kiem/"' in html
    assert "30/12/2025" in html


def test_an_older_edition_home_says_it_is_not_the_latest(gazetteer) -> None:
    """The 2024 edition stays browsable and points to the 2025 one."""
    html = page("/dia-chi/2024/")
    assert "không phải ấn bản mới nhất" in html
    assert "/dia-chi/2025/" in Tags(html).links()
    assert "/dia-chi/2024/muc/song-lam/" not in html


def test_a_chapter_lists_its_sub_chapters_and_its_entries(gazetteer) -> None:
    """Địa lý shows the sub-chapter Biển và hải đảo and its own entries, not the sea's."""
    html = page("/dia-chi/2025/chuong/dia-ly/")
    links = Tags(html).links()
    assert "/dia-chi/2025/chuong/dia-ly/bien/" in links
    assert "/dia-chi/2025/muc/thanh-pho-vinh/" in links
    assert "/dia-chi/2025/muc/vinh-bac-bo/" not in links
    sea = page("/dia-chi/2025/chuong/dia-ly/bien/")
    assert "/dia-chi/2025/muc/vinh-bac-bo/" in Tags(sea).links()
    assert "/dia-chi/2025/chuong/dia-ly/" in Tags(sea).links()  # breadcrumb


# --- Entries --------------------------------------------------------------------------------------


def test_the_entry_page_shows_the_entry_with_full_citations(gazetteer) -> None:
    """Title, kind, period, chapter breadcrumb, places, body, sources and a citation box."""
    html = page("/dia-chi/2025/muc/tinh-nghe-an/")
    links = Tags(html).links()
    assert "<h1" in html and "Tỉnh Nghệ An</h1>" in html
    assert "Địa danh" in html and "hiện đại" in html
    assert "/dia-chi/2025/chuong/dia-ly/" in links
    assert "/dia-chi/2025/dia-danh/40/" in links
    assert "diện tích lớn nhất Việt Nam" in html
    assert "Cục Thống kê tỉnh Nghệ An" in html
    assert "<cite>Niên giám thống kê tỉnh Nghệ An 2023</cite>" in html
    assert "Nhà xuất bản Thống kê, 2024, tr. 15–20." in html
    assert "https://thongkenghean.gov.vn/" in links
    assert "Trích dẫn" in html
    assert "http://testserver/dia-chi/2025/muc/tinh-nghe-an/" in links


def test_the_entry_page_carries_open_graph_tags_and_a_canonical_link(gazetteer) -> None:
    """Shared on social media, the entry shows its title, its first words and its permanent URL."""
    tags = Tags(page("/dia-chi/2025/muc/thanh-pho-vinh/"))
    assert tags.meta("og:title") == "Thành phố Vinh"
    assert tags.meta("og:type") == "article"
    assert tags.meta("og:url") == "http://testserver/dia-chi/2025/muc/thanh-pho-vinh/"
    assert tags.meta("og:description") == VINH_2025_TEXT
    canonical = [a["href"] for t, a in tags.tags if t == "link" and a.get("rel") == "canonical"]
    assert canonical == ["http://testserver/dia-chi/2025/muc/thanh-pho-vinh/"]


def test_the_entry_page_neutralises_dangerous_markdown(gazetteer, personas) -> None:
    """<script>, javascript: links, onerror= attributes and iframes never become live HTML."""
    body = (
        "Đoạn mở đầu an toàn.\n\n"
        "<script>alert(1)</script>\n\n"
        "[x](javascript:alert(1))\n\n"
        "<img src=x onerror=alert(1)>\n\n"
        '<iframe src="https://example.org/"></iframe>\n\n'
        "![ảnh](javascript:alert(2))\n\n"
        '<a href="javascript:alert(3)" onclick="alert(4)">bấm</a>\n'
    )
    publish_entry(
        EntrySpec("nguy-hiem", "Mục thử nghiệm", "topic", gazetteer.history, body),
        personas.editor,
    )
    publish_edition(2026, personas.editor)
    html = page("/dia-chi/2026/muc/nguy-hiem/")
    assert "<p>Đoạn mở đầu an toàn.</p>" in html
    for tag, attrs in Tags(html).tags:
        assert tag not in {"script", "iframe", "object", "embed"}
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src"):
            assert not attrs.get(name, "").strip().lower().startswith("javascript"), (tag, attrs)


def test_a_source_link_that_is_not_a_web_address_is_not_a_link(gazetteer, personas) -> None:
    """A source URL typed as javascript: shows as nothing clickable."""
    from tinhuy.gazetteer.actions import SourceSpec

    publish_entry(
        EntrySpec("nguon-la", "Nguồn lạ", "topic", gazetteer.history, "Văn bản.",
                  sources=(SourceSpec(title="Tài liệu", url="javascript:alert(1)"),)),
        personas.editor,
    )  # fmt: skip
    publish_edition(2026, personas.editor)
    html = page("/dia-chi/2026/muc/nguon-la/")
    assert "<cite>Tài liệu</cite>" in html
    assert "javascript:" not in html


def test_an_entry_url_without_a_year_redirects_to_the_latest_edition(gazetteer) -> None:
    """``muc/<slug>/`` is a 302 to the newest edition that has the entry."""
    response = Client().get("/dia-chi/muc/thanh-pho-vinh/")
    assert response.status_code == 302
    assert response["Location"] == "/dia-chi/2025/muc/thanh-pho-vinh/"


# --- Places ---------------------------------------------------------------------------------------


def test_the_place_page_shows_its_entries_and_its_figures(gazetteer) -> None:
    """Vinh: the entries about it; its population, latest year first, Vietnamese numbers, and
    a sample-data badge on each sample figure."""
    html = page("/dia-chi/2025/dia-danh/412/")
    links = Tags(html).links()
    assert "/dia-chi/2025/muc/thanh-pho-vinh/" in links
    assert "/dia-chi/2025/muc/song-lam/" in links
    assert "/dia-chi/2025/muc/vinh-bac-bo/" not in links
    assert "Dân số" in html and "(người)" in html
    table = html[html.index("<table") :]  # the chart above lists the years in order
    assert table.index("1.234,5") < table.index("340.000")  # 2024 before 2023
    assert "1,234.5" not in html
    assert table.count("số liệu minh họa") == 2


def test_a_cited_figure_carries_no_sample_badge(gazetteer) -> None:
    """The area of Nghệ An comes from the yearbook: its source, no badge."""
    html = page("/dia-chi/2025/dia-danh/40/")
    assert "16.486,5" in html
    assert "Niên giám 2023" in html
    assert "số liệu minh họa" not in html


def test_the_place_page_links_indicator_pages_only_when_they_exist(gazetteer, monkeypatch) -> None:
    """Without an indicator page to link to, the figures show without a (broken) link."""

    def missing(*args: object, **kwargs: object) -> str:
        raise NoReverseMatch("gazetteer_indicator")

    monkeypatch.setattr(public, "reverse", missing)
    html = page("/dia-chi/2025/dia-danh/412/")
    assert "Dân số" in html
    assert not [link for link in Tags(html).links() if "dan-so" in link]


# --- Search ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("nghe an", "Tỉnh Nghệ An"),
        ("do luong", "Huyện Đô Lương"),
        ("thuy", "Thủy lợi Bắc Nghệ An"),
        ("ngh", "Tỉnh Nghệ An"),
        ("phan boi chau", "Phan Bội Châu"),
    ],
)
def test_the_search_page_finds_entries_typed_without_diacritics(gazetteer, query, title) -> None:
    """Citizens type without marks and get the entry, linked at its permanent URL."""
    html = page(f"/dia-chi/tim-kiem/?q={query}")
    assert f">{title}</a>" in html
    assert "Tìm thấy" in html


def test_vinh_with_marks_puts_the_bay_first_and_without_marks_the_city(gazetteer) -> None:
    """ "Vịnh" → Vịnh Bắc Bộ before Thành phố Vinh; "vinh" → the city first."""
    bay = page("/dia-chi/tim-kiem/?q=Vịnh")
    assert bay.index(">Vịnh Bắc Bộ</a>") < bay.index(">Thành phố Vinh</a>")
    city = page("/dia-chi/tim-kiem/?q=vinh")
    assert city.index(">Thành phố Vinh</a>") < city.index(">Vịnh Bắc Bộ</a>")


def test_results_have_highlighted_snippets_and_permanent_links(gazetteer) -> None:
    """Matches are in <mark>; results link to the latest edition's entry URL."""
    html = page("/dia-chi/tim-kiem/?q=do+luong")
    assert "<mark>Đô</mark> <mark>Lương</mark>" in html
    assert "/dia-chi/2025/muc/huyen-do-luong/" in Tags(html).links()


def test_filters_narrow_the_results(gazetteer) -> None:
    """Kind, chapter, place and period filters; filter links keep the query."""
    html = page("/dia-chi/tim-kiem/?q=nghe+an&loai=event")
    assert ">Xô viết Nghệ Tĩnh</a>" in html and ">Tỉnh Nghệ An</a>" not in html
    html = page("/dia-chi/tim-kiem/?q=bien&chuong=dia-ly/bien")
    assert ">Vịnh Bắc Bộ</a>" in html
    html = page("/dia-chi/tim-kiem/?q=song+lam&dia_danh=427")
    assert ">Huyện Đô Lương</a>" in html and ">Thành phố Vinh</a>" not in html
    assert "Huyện Đô Lương ✕" in html  # the active place filter, removable
    html = page("/dia-chi/tim-kiem/?q=phan&thoi_ky=cận đại")
    assert ">Phan Bội Châu</a>" in html
    links = Tags(page("/dia-chi/tim-kiem/?q=vinh")).links()
    assert "?q=vinh&loai=person" in links and "?q=vinh&chuong=lich-su" in links


def test_an_unknown_kind_filter_is_ignored(gazetteer) -> None:
    """A made-up kind does not empty the results."""
    assert ">Thành phố Vinh</a>" in page("/dia-chi/tim-kiem/?q=vinh&loai=khong-co")


def test_results_come_in_pages_with_a_count(gazetteer, monkeypatch) -> None:
    """Pages of results (ten in production, two here), a count, next/previous links, and a
    page number past the end or not a number shows a page instead of an error."""
    monkeypatch.setattr(public, "SEARCH_PAGE_SIZE", 2)
    first = page("/dia-chi/tim-kiem/?q=nghe+an")
    total = len(result_titles("nghe an"))
    assert total > 2
    assert f"Tìm thấy {total} mục từ." in first
    assert first.count('class="h6 mb-0"') == 2
    assert "?q=nghe+an&trang=2" in Tags(first).links()
    last = page("/dia-chi/tim-kiem/?q=nghe+an&trang=999")  # past the end: the last page
    assert last.count('class="h6 mb-0"') == total - 2 * ((total - 1) // 2)
    assert Client().get("/dia-chi/tim-kiem/?q=vinh&trang=x").status_code == 200


def test_ten_results_make_a_page() -> None:
    assert public.SEARCH_PAGE_SIZE == 10


@pytest.mark.parametrize(
    "query",
    [
        "",
        '"',
        '"nghe an',
        "*",
        "nghe*",
        "NEAR(a b)",
        "title:vinh OR -x AND",
        "a" * 10_000,
        "vinh " * 2_000,
        "🏯🌾",
        "Nghệ An 🎉",
        "%_%",
        "'; DROP TABLE x; --",
        "\x00vinh",
        "\u200b",
    ],
)
def test_junk_input_never_breaks_the_search_page(gazetteer, query) -> None:
    """Quotes, asterisks, FTS syntax, 10,000 characters, emoji: 200, results or none."""
    response = Client().get(
        "/dia-chi/tim-kiem/",
        {"q": query, "chuong": query[:600], "dia_danh": query, "thoi_ky": query, "trang": query},
    )
    # A NUL byte is refused for every route by tinhuy.middleware (400), never a 500.
    assert response.status_code == (400 if "\x00" in query else 200)


def test_an_empty_search_shows_help_and_no_answer_box(gazetteer) -> None:
    """No query: a hint, no results, and no figure answer box."""
    html = page("/dia-chi/tim-kiem/")
    assert "không dấu" in html
    assert "gz-results" not in html
    assert "answer" not in html


def test_a_search_without_results_says_so(gazetteer) -> None:
    html = page("/dia-chi/tim-kiem/?q=xyzzy")
    assert "Không tìm thấy mục từ nào cho “xyzzy”." in html


# --- Sitemap --------------------------------------------------------------------------------------


def test_the_sitemap_lists_the_latest_edition_entries_and_places(gazetteer) -> None:
    """Entry and place URLs of 2025, none of 2024."""
    response = Client().get("/dia-chi/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    xml = response.content.decode()
    assert "<loc>http://testserver/dia-chi/2025/muc/thanh-pho-vinh/</loc>" in xml
    assert "<loc>http://testserver/dia-chi/2025/muc/song-lam/</loc>" in xml
    assert "<loc>http://testserver/dia-chi/2025/dia-danh/412/</loc>" in xml
    assert "<loc>http://testserver/dia-chi/2025/dia-danh/40/</loc>" in xml
    assert "/2024/" not in xml
    assert xml.count("<url>") == 8 + 4  # eight entries; places 40, 412, 427 and 430


def test_the_sitemap_is_empty_before_the_first_edition(empty_gazetteer) -> None:
    response = Client().get("/dia-chi/sitemap.xml")
    assert response.status_code == 200
    assert "<url>" not in response.content.decode()


# --- Performance ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_every_page_runs_a_handful_of_queries(
    gazetteer, django_assert_max_num_queries, url
) -> None:
    """A fixed, small number of queries per page ("what changed" one more: the revisions of
    the changed entries, all in one query)."""
    with django_assert_max_num_queries(9 if "/thay-doi/" in url else 8):
        Client().get(url)


def _count(url: str) -> int:
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_more_entries_and_figures_cost_no_more_queries(gazetteer, personas) -> None:
    """No N+1: doubling what an edition holds leaves every page's query count unchanged."""
    urls = [
        "/dia-chi/{y}/",
        "/dia-chi/{y}/chuong/dia-ly/",
        "/dia-chi/{y}/muc/thanh-pho-vinh/",
        "/dia-chi/{y}/dia-danh/412/",
        "/dia-chi/tim-kiem/?q=vinh",
        "/dia-chi/{y}/thay-doi/",
        "/dia-chi/sitemap.xml",
    ]
    before = {u: _count(u.format(y=2025)) for u in urls}
    editor = personas.editor
    for i in range(8):
        do_save_entry(
            EntrySpec(f"vinh-{i}", f"Phường số {i} của Vinh", "place", gazetteer.geography,
                      f"Phường số {i} thuộc thành phố Vinh.", (gazetteer.vinh,)),
            acting_user=editor,
        )  # fmt: skip
        publish_entry(
            EntrySpec(f"vinh-{i}", f"Phường số {i} của Vinh", "place", gazetteer.geography,
                      f"Phường số {i} thuộc thành phố Vinh, bên sông Lam.", (gazetteer.vinh,)),
            editor,
        )  # fmt: skip
    do_save_observations(
        [
            ObservationSpec(gazetteer.area, gazetteer.vinh, year, 105 + year % 7)
            for year in range(2000, 2020)
        ],
        acting_user=editor,
    )
    # As in 2025, one entry is rewritten ("what changed" reads changed entries' revisions).
    publish_entry(
        EntrySpec("thanh-pho-vinh", "Thành phố Vinh", "place", gazetteer.geography,
                  "Vinh là thành phố tỉnh lỵ, bên sông Lam.", (gazetteer.vinh,)),
        editor,
    )  # fmt: skip
    publish_edition(2026, editor)
    after = {u: _count(u.format(y=2026)) for u in urls}
    assert after == before


def test_search_hits_match_the_backend(gazetteer) -> None:
    """The page shows what the search backend returns, in its order."""
    hits, total = search("vinh", filters=Filters(), limit=10)
    html = page("/dia-chi/tim-kiem/?q=vinh")
    positions = [html.index(f">{hit.title}</a>") for hit in hits]
    assert positions == sorted(positions) and total == len(hits)


def test_a_figure_question_puts_the_answer_box_above_the_results(gazetteer) -> None:
    """ "dan so thanh pho vinh 2023" answers with the 2025 edition's value, on top."""
    html = page("/dia-chi/tim-kiem/?q=dan+so+thanh+pho+vinh+2023")
    assert 'class="gz-answer' in html
    assert "340.000" in html
    assert html.index("gz-answer") < html.index("<h1")


SEARCH_TABLE = SearchDocument._meta.db_table


def test_the_search_page_reads_the_edition_once(gazetteer) -> None:
    """The footer's edition and the answer box's share one query (with the catalogue's
    version); the top chapters are the other. The engine's own queries come on top with a
    database engine."""
    client = Client()
    client.get("/dia-chi/tim-kiem/?q=vinh")  # the look-up's catalogue, kept after the first

    def page_queries(captured: CaptureQueriesContext) -> int:
        """The page's own queries: a database engine's reads of the index come on top (a count
        and the rows, or the count alone when nothing matches)."""
        return sum(SEARCH_TABLE not in q["sql"] for q in captured.captured_queries)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dia-chi/tim-kiem/?q=vinh").status_code == 200
    assert page_queries(queries) == 2
    assert sum("gazetteer_edition" in q["sql"] for q in queries) == 1
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/dia-chi/tim-kiem/?q=dan+so+thanh+pho+vinh+2023").content.decode()
    assert "340.000" in html
    assert page_queries(queries) == 3  # and the figures of the answer


@pytest.mark.parametrize(
    "query",
    ["", "q=vinh", "q=vinh&loai=place&trang=3", "trang=2&q=a+b&chuong=dia-ly&q=c", "x=%26%3D&q=Đô"],
)
def test_the_filter_links_are_those_of_the_querystring_tag(query) -> None:
    """The search page works its filter links out in the view, as {% querystring %} would."""
    from django.http import QueryDict
    from django.template import RequestContext, Template
    from django.test import RequestFactory

    request = RequestFactory().get(f"/dia-chi/tim-kiem/?{query}")
    tag = Template(
        "{% autoescape off %}{% querystring loai=None trang=None %}|"
        "{% querystring loai=kind trang=None %}|{% querystring chuong=path trang=None %}"
        "{% endautoescape %}"
    )
    expected = tag.render(RequestContext(request, {"kind": "person", "path": "lich-su/co"}))
    params: QueryDict = request.GET
    assert expected == "|".join(
        [
            public._querystring(params, loai=None, trang=None),
            public._querystring(params, loai="person", trang=None),
            public._querystring(params, chuong="lich-su/co", trang=None),
        ]
    )
